// llama.cpp's logits for rows of token ids, for the cross-check with Paddock (compare.sh).
//
//   llama_logits BACKEND_DIR MODEL.gguf < ROWS > LOGITS
//
// ROWS: one row of space-separated token ids per line. LOGITS: for every row and every
// position, the vocabulary's logits as little-endian float32, rows one after the other. Each
// row is evaluated alone, in one batch, from an empty fp32 cache.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "llama.h"

static void quiet(enum ggml_log_level level, const char* text, void* data) {
  (void)data;
  if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: llama_logits BACKEND_DIR MODEL.gguf < ROWS > LOGITS\n");
    return 2;
  }
  llama_log_set(quiet, NULL);
  ggml_backend_load_all_from_path(argv[1]);
  llama_backend_init();
  struct llama_model_params model_params = llama_model_default_params();
  struct llama_model* model = llama_model_load_from_file(argv[2], model_params);
  if (!model) {
    fprintf(stderr, "llama_logits: cannot load %s\n", argv[2]);
    return 1;
  }
  const int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  struct llama_context_params context_params = llama_context_default_params();
  context_params.n_ctx = 512;
  context_params.n_batch = 512;
  context_params.n_ubatch = 512;
  context_params.n_threads = 1;
  context_params.n_threads_batch = 1;
  // fp32 keys and values and the plain attention path: the default fp16 cache rounds the
  // attention's inputs, which the comparison would read as a difference of the models.
  context_params.type_k = GGML_TYPE_F32;
  context_params.type_v = GGML_TYPE_F32;
  context_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  struct llama_context* context = llama_init_from_model(model, context_params);
  if (!context) {
    fprintf(stderr, "llama_logits: cannot make a context\n");
    return 1;
  }
  char line[65536];
  while (fgets(line, sizeof line, stdin)) {
    llama_token ids[512];
    int count = 0;
    for (char* token = strtok(line, " \n"); token && count < 512; token = strtok(NULL, " \n"))
      ids[count++] = (llama_token)atoi(token);
    if (count == 0) continue;
    llama_memory_clear(llama_get_memory(context), 1);
    struct llama_batch batch = llama_batch_init(count, 0, 1);
    for (int i = 0; i < count; ++i) {
      batch.token[i] = ids[i];
      batch.pos[i] = i;
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = 0;
      batch.logits[i] = 1;
    }
    batch.n_tokens = count;
    if (llama_decode(context, batch) != 0) {
      fprintf(stderr, "llama_logits: decode failed\n");
      return 1;
    }
    for (int i = 0; i < count; ++i)
      fwrite(llama_get_logits_ith(context, i), sizeof(float), vocab, stdout);
    llama_batch_free(batch);
  }
  llama_free(context);
  llama_model_free(model);
  return 0;
}
