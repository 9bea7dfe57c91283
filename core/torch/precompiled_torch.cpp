// The source CMake needs to build paddock_torch_pch's precompiled torch/torch.h; it
// compiles nothing of its own.
