#!/bin/sh
# Cross-check of Paddock's decoder against llama.cpp, an independent implementation of GPT-2
# and LLaMA: small random checkpoints in the Hugging Face layout (make_checkpoints.py) go
# through llama.cpp's own converter to GGUF (convert_without_vocab.py), and both programs
# compute the logits of the same token ids (model_logits, llama_logits.c), compared by
# compare_logits.py, and greedy continuations of four prompts (compare_greedy.py): Paddock's
# from its sampler (KV cache, continuous batch), llama.cpp's one row at a time. Run by hand (it needs npm, gcc and Debian's python3-torch and
# python3-tqdm); docs/models.md has the results.
#
#   tests/transformer/llama_cpp/compare.sh BUILD_DIR WORK_DIR
#
# llama.cpp comes from npm's node-llama-cpp 3.22.1: its prebuilt CPU libraries, and the
# llama.cpp sources it carries as a git bundle (headers, converter, gguf-py).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
python=/usr/bin/python3

cd "$work"
if [ ! -d node_modules/node-llama-cpp ]; then
  [ -f package.json ] || npm init -y > /dev/null
  npm install --ignore-scripts node-llama-cpp@3.22.1 > /dev/null
fi
[ -d llama.cpp ] || git -c advice.detachedHead=false clone -q node_modules/node-llama-cpp/llama/gitRelease.bundle llama.cpp
bins=$work/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
gcc -O2 -o llama_logits "$here/llama_logits.c" -Illama.cpp/include -Illama.cpp/ggml/include \
  "$bins/libllama.v0.5.0.so" "$bins/libggml.v0.5.0.so" "$bins/libggml-base.so" \
  -Wl,-rpath,"$bins"

rm -rf checkpoints
"$python" "$here/make_checkpoints.py" checkpoints "$repo/configs/world_base" \
  "$repo/tests/transformer_io/data/tiny_llama_tokenizer.model" > /dev/null
status=0
for model in checkpoints/*/; do
  model=${model%/}
  name=$(basename "$model")
  vocab=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['vocab_size'])" \
    "$model/config.json")
  # The longest row the model runs: its positions, or a shorter sliding window.
  positions=$("$python" -c "import json,sys; c=json.load(open(sys.argv[1])); \
print(min(c.get('n_positions') or c['max_position_embeddings'], c.get('sliding_window') or 10**9))" \
    "$model/config.json")
  # Three rows of random ids: 5 tokens, 37 and the longest the model (or 200) allows.
  "$python" -c "import random,sys; r=random.Random(7); v,n=int(sys.argv[1]),int(sys.argv[2]); \
[print(' '.join(str(r.randrange(v)) for _ in range(k))) for k in (5,37,min(n,200))]" \
    "$vocab" "$positions" > "$model.rows"
  # Four prompts of 3, 11, 29 and 60 ids for 48 greedy tokens each.
  "$python" -c "import random,sys; r=random.Random(11); v=int(sys.argv[1]); \
[print(' '.join(str(r.randrange(v)) for _ in range(k))) for k in (3,11,29,60)]" \
    "$vocab" > "$model.prompts"
  "$python" "$here/convert_without_vocab.py" llama.cpp "$here/stubs" "$model" "$model.gguf" \
    > "$model.convert.log" 2>&1
  "$build/tests/model_logits" "$model" < "$model.rows" > "$model.paddock"
  ./llama_logits "$bins" "$model.gguf" < "$model.rows" > "$model.llama_cpp" 2> "$model.llama.log"
  echo "$name:"
  # GPT-2: llama.cpp's CPU GELU looks its values up in a half-precision table, a few
  # thousandths in these logits (docs/models.md); everything else is compared at 1e-3.
  tolerance=1e-3
  [ "$name" = gpt2 ] && tolerance=1e-2
  "$python" "$here/compare_logits.py" "$model.rows" "$vocab" "$model.paddock" \
    "$model.llama_cpp" "$tolerance" || status=1
  "$build/tests/model_logits" --greedy 48 "$model" < "$model.prompts" > "$model.paddock.greedy"
  ./llama_logits --greedy 48 "$bins" "$model.gguf" < "$model.prompts" \
    > "$model.llama_cpp.greedy" 2>> "$model.llama.log"
  "$python" "$here/compare_greedy.py" "$model.paddock.greedy" "$model.llama_cpp.greedy" \
    || status=1
  case $name in gpt2 | llama_gqa | mistral)
    # Paddock's own files (config.json, safetensors shards and their index) read by
    # llama.cpp's converter: the same logits as from the files above.
    rm -rf "$model.resaved"
    "$build/tests/model_logits" --resave "$model.resaved" "$model"
    "$python" "$here/convert_without_vocab.py" llama.cpp "$here/stubs" "$model.resaved" \
      "$model.resaved.gguf" > "$model.resaved.convert.log" 2>&1
    ./llama_logits "$bins" "$model.resaved.gguf" < "$model.rows" > "$model.resaved.llama_cpp" \
      2>> "$model.llama.log"
    echo "$name, saved by Paddock in $(ls "$model.resaved" | grep -c '^model-') shards:"
    "$python" "$here/compare_logits.py" "$model.rows" "$vocab" "$model.paddock" \
      "$model.resaved.llama_cpp" "$tolerance" || status=1
    ;;
  esac
  if [ "$name" = gpt2 ]; then
    for mode in exact half-gelu; do
      "$python" "$here/gpt2_reference.py" "$model" "$model.rows" $mode > "$model.$mode"
    done
    echo "gpt2, Paddock against a float64 reference:"
    "$python" "$here/compare_logits.py" "$model.rows" "$vocab" "$model.paddock" \
      "$model.exact" 1e-4 || status=1
    echo "gpt2, llama.cpp against that reference with a half-precision GELU (not checked):"
    "$python" "$here/compare_logits.py" "$model.rows" "$vocab" "$model.llama_cpp" \
      "$model.half-gelu" || true
  fi
done
exit $status
