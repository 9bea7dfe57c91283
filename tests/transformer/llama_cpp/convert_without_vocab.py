#!/usr/bin/env python3
"""Runs llama.cpp's own converter (convert_hf_to_gguf.py) on a checkpoint with its vocabulary
left out (tokenizer model "none", vocab_size dummy tokens): the cross-check feeds token ids,
and the converter's tokenizer paths need the transformers and sentencepiece packages.

    convert_without_vocab.py LLAMA_CPP_DIR STUBS_DIR CHECKPOINT_DIR OUT.gguf

STUBS_DIR holds stand-ins for what Debian's python3-torch 1.13 lacks (see compare.sh).
"""
import sys
from pathlib import Path

llama_cpp, stubs, checkpoint, out = sys.argv[1:5]
sys.path[:0] = [str(Path(llama_cpp) / "gguf-py"), llama_cpp, stubs]
import torch_dtype_placeholders  # noqa: F401,E402  (before the converter)
import convert_hf_to_gguf  # noqa: E402
from conversion.gpt2 import GPT2Model  # noqa: E402
from conversion.llama import LlamaModel  # noqa: E402


def no_vocabulary(self):
    self.gguf_writer.add_tokenizer_model("none")
    if not isinstance(self, LlamaModel):  # the LLaMA converter writes vocab_size itself
        self.gguf_writer.add_vocab_size(self.hparams["vocab_size"])


GPT2Model.set_vocab = no_vocabulary
LlamaModel.set_vocab = no_vocabulary
sys.argv = ["convert_hf_to_gguf.py", checkpoint, "--outtype", "f32", "--outfile", out]
convert_hf_to_gguf.main()
