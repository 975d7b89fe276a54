/** Image and disparity file formats. */
export {};
