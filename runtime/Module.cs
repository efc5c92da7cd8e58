// Stack buffers in this assembly are written before they are read (shape scratch, the column-major copies of the
// row-tiled kernels, chunk totals), so they need no zeroing: up to 8 KiB per kernel call for a tile of 128 classes.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
