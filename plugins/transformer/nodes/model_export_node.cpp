// `model_export`: writes a model into a directory of its own for shipping (a Hugging Face
// checkpoint loadable by transformer_load), with paddock_provenance.json naming what it was
// made from: the world manifest it was made for, the reports of the nodes that made and
// probed it, the pipeline file and the source commit. It refuses a model whose probe report
// failed its gates, so a base that did not pass is never shipped by accident.
#include <cstdio>

#include "paddock/error.hpp"
#include "paddock/report.hpp"
#include "paddock/seed.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "paddock/transformer/atomic_file_writer.hpp"
#include "transformer_nodes.hpp"

namespace paddock::transformer {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// The first line `command` prints, or empty when it fails.
std::string first_output_line(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return {};
  char buffer[256] = {};
  std::string line = std::fgets(buffer, sizeof buffer, pipe) ? buffer : "";
  ::pclose(pipe);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// The commit of the git checkout holding `directory` (with "+dirty" when tracked files
// differ from it), or "unknown" outside a checkout.
std::string source_commit(const fs::path& directory) {
  const std::string quoted = "'" + directory.string() + "'";
  const std::string commit = first_output_line("git -C " + quoted + " rev-parse HEAD");
  if (commit.empty()) return "unknown";
  const std::string changed =
      first_output_line("git -C " + quoted + " status --porcelain --untracked-files=no");
  return changed.empty() ? commit : commit + "+dirty";
}

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string read_text_file(const fs::path& file) {
  std::FILE* stream = std::fopen(file.c_str(), "rb");
  if (!stream) throw Error("cannot read " + file.string());
  std::string text;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, stream)) > 0;)
    text.append(buffer, n);
  std::fclose(stream);
  return text;
}

// Every parameter but `path`, which is required (no default) and stays a plain ParamSpec.
struct ModelExportSettings {
  std::string source_pipeline;
  bool require_passed_gates = true;
};

SettingsSchema<ModelExportSettings> model_export_schema() {
  using S = ModelExportSettings;
  SettingsSchema<S> schema;
  schema
      .path("source_pipeline", &S::source_pipeline,
            "the pipeline file that made the model, recorded by name "
            "and digest")
      .boolean("require_passed_gates", &S::require_passed_gates,
               "refuse to export when a report says its gates failed");
  return schema;
}

void run_model_export(NodeContext& context) {
  const ModelExportSettings settings = model_export_schema().read(context.params());
  const fs::path destination = context.params().string("path");  // required: not in the schema
  const auto model = context.input<Model>("model");
  ordered_json provenance;
  provenance["format"] = 1;
  provenance["backend"] = model->backend();
  provenance["manifest"] =
      context.has_input("manifest") ? context.input<Report>("manifest")->content() : nullptr;
  provenance["reports"] = ordered_json::array();
  for (const auto& artifact : context.inputs("reports")) {
    const auto report = std::dynamic_pointer_cast<Report>(artifact);
    if (!report) continue;
    const ordered_json& content = report->content();
    if (settings.require_passed_gates && content.contains("all_passed") &&
        content["all_passed"] == false)
      throw Error("node '" + context.node_name() + "': a report given to `reports` failed its " +
                  "gates (" + content.value("gates", ordered_json::object()).dump() +
                  "), so the model is not exported; see docs/world.md for what the gates " +
                  "mean, or set require_passed_gates = false to export it anyway");
    provenance["reports"].push_back(content);
  }
  const std::string pipeline = settings.source_pipeline;
  if (!pipeline.empty()) {
    provenance["pipeline"] = {{"file", fs::path(pipeline).filename().string()},
                              {"digest", hex(fnv1a_64(read_text_file(pipeline)))}};
  }
  provenance["commit"] = source_commit(fs::absolute(destination).parent_path());

  // Write everything beside the destination, then swap it in, so the directory is never
  // half written: a reader sees the old export or the new one.
  const fs::path staging = destination.string() + ".partial";
  const fs::path previous = destination.string() + ".previous";
  fs::remove_all(staging);
  fs::create_directories(staging);
  model->save(staging);
  AtomicFileWriter model_file(staging / "paddock_model.json");
  model_file.write(nlohmann::json{{"backend", model->backend()}}.dump() + "\n");
  model_file.commit();
  AtomicFileWriter provenance_file(staging / kProvenanceFile);
  provenance_file.write(provenance.dump(2) + "\n");
  provenance_file.commit();
  fs::remove_all(previous);
  if (fs::exists(destination)) fs::rename(destination, previous);
  fs::rename(staging, destination);
  fs::remove_all(previous);
  context.log().info("model_export: wrote {} (commit {})", destination.string(),
                     provenance["commit"].get<std::string>());
  context.set_output("provenance", std::make_shared<Report>(std::move(provenance)));
}

}  // namespace

NodeTypeSpec model_export_node_type() {
  NodeTypeSpec spec;
  spec.name = "model_export";
  spec.kind = NodeKind::transform;
  spec.summary = "Writes a model to a directory for shipping, with its provenance.";
  spec.doc =
      "The directory gets the checkpoint (for the transformer backend: config.json, "
      "model.safetensors, tokenizer.json) and paddock_provenance.json: the `manifest` the "
      "model was made for, every report given to `reports`, the pipeline file's name and "
      "digest and the git commit of the checkout holding the directory. A report with "
      "\"all_passed\": false (an lm_probe whose gates failed) stops the export. The directory "
      "is replaced whole, never left half written. transformer_load can require a manifest of "
      "a model loaded from such a directory.";
  spec.inputs = {
      {"model", "Model", "the model to ship"},
      {"manifest", "Report", "what the model was made for, e.g. instruction_world's manifest",
       /*optional=*/true},
      {"reports", "Report", "reports to record, e.g. the training summary and lm_probe's report",
       /*optional=*/true, /*multiple=*/true},
  };
  spec.outputs = {{"provenance", "Report", "what paddock_provenance.json records"}};
  // `path` is required: a plain ParamSpec, declared first as before.
  spec.params = {
      required_param("path", ParamType::path, "the directory to write (replaced if present)")};
  for (ParamSpec& param : model_export_schema().specs()) spec.params.push_back(std::move(param));
  return make_node_type(std::move(spec), run_model_export);
}

}  // namespace paddock::transformer
