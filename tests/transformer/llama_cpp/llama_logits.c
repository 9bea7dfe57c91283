// llama.cpp's side of the cross-check with Paddock (compare.sh):
//
//   llama_logits BACKEND_DIR MODEL.gguf < ROWS > LOGITS
//   llama_logits --greedy N BACKEND_DIR MODEL.gguf < ROWS > CONTINUATIONS
//
// ROWS: one row of space-separated token ids per line. LOGITS: for every row and every
// position, the vocabulary's logits as little-endian float32, rows one after the other.
// CONTINUATIONS: each row's N greedy tokens (the likeliest, the lowest id on a tie), one line
// per row, each fed back one at a time through the cache. Each row runs alone from an empty
// fp32 cache.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "llama.h"

enum { kMaxRow = 512 };

static void quiet(enum ggml_log_level level, const char* text, void* data) {
  (void)data;
  if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

// Runs `count` tokens from position `start` through the cache; 0 on success.
static int feed(struct llama_context* context, const llama_token* ids, int count, int start,
                int all_logits) {
  struct llama_batch batch = llama_batch_init(count, 0, 1);
  for (int i = 0; i < count; ++i) {
    batch.token[i] = ids[i];
    batch.pos[i] = start + i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = all_logits || i == count - 1;
  }
  batch.n_tokens = count;
  const int status = llama_decode(context, batch);
  llama_batch_free(batch);
  return status;
}

static llama_token likeliest(const float* logits, int vocab) {
  llama_token best = 0;
  for (int id = 1; id < vocab; ++id)
    if (logits[id] > logits[best]) best = id;
  return best;
}

int main(int argc, char** argv) {
  const int greedy = argc == 5 && strcmp(argv[1], "--greedy") == 0;
  if (argc != 3 && !greedy) {
    fprintf(stderr, "usage: llama_logits [--greedy N] BACKEND_DIR MODEL.gguf < ROWS > OUTPUT\n");
    return 2;
  }
  const int new_tokens = greedy ? atoi(argv[2]) : 0;
  const char* backends = argv[argc - 2];
  const char* model_file = argv[argc - 1];
  llama_log_set(quiet, NULL);
  ggml_backend_load_all_from_path(backends);
  llama_backend_init();
  struct llama_model_params model_params = llama_model_default_params();
  struct llama_model* model = llama_model_load_from_file(model_file, model_params);
  if (!model) {
    fprintf(stderr, "llama_logits: cannot load %s\n", model_file);
    return 1;
  }
  const int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  struct llama_context_params context_params = llama_context_default_params();
  context_params.n_ctx = kMaxRow;
  context_params.n_batch = kMaxRow;
  context_params.n_ubatch = kMaxRow;
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
    llama_token ids[kMaxRow];
    int count = 0;
    for (char* token = strtok(line, " \n"); token && count < kMaxRow; token = strtok(NULL, " \n"))
      ids[count++] = (llama_token)atoi(token);
    if (count == 0) continue;
    llama_memory_clear(llama_get_memory(context), 1);
    if (feed(context, ids, count, 0, !greedy) != 0) {
      fprintf(stderr, "llama_logits: decode failed\n");
      return 1;
    }
    if (!greedy) {
      for (int i = 0; i < count; ++i)
        fwrite(llama_get_logits_ith(context, i), sizeof(float), vocab, stdout);
      continue;
    }
    for (int step = 0; step < new_tokens; ++step) {
      llama_token next = likeliest(llama_get_logits_ith(context, -1), vocab);
      printf(step ? " %d" : "%d", next);
      if (step + 1 < new_tokens && feed(context, &next, 1, count + step, 0) != 0) {
        fprintf(stderr, "llama_logits: decode failed\n");
        return 1;
      }
    }
    printf("\n");
  }
  llama_free(context);
  llama_model_free(model);
  return 0;
}
