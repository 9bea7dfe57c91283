// The SDK's ABI version. A host accepts a plugin when the majors are equal and the plugin's
// minor is not newer than the host's. Bump the minor when adding API a plugin may rely on,
// the major when changing or removing anything a built plugin uses.
//
// 1.0  the first SDK.
// 1.1  UsageReporter and Cancellable (annotator_usage.hpp): optional annotator services, and
//      InstructionTemplateEditor (instruction_template.hpp) and RequestGenerator
//      (request_generator.hpp): model capabilities; RequestGenerator has generate_requests
//      and, for continuous batching, generate_continuously with the RequestFeed it polls
//      between decoding steps; a GenerationRequest carries its own options and logit_bias. Their
//      typeinfo lives in the core, so a plugin using them needs a host that has them.
//      NodeContext::rank(), world_size(), local_rank() and Registrar::declare_data_parallel(),
//      appended after every older virtual function. Plugins never implement these
//      interfaces (the host does), so 1.0 plugins keep working; a 1.1 plugin calls them, so
//      a 1.0 host must refuse it.
// 1.2  NodeContext::mark_incomplete(): a node that finished with something missing (an
//      annotator's outage) keeps its outputs for this run but runs again in the next.
//      Appended after every older virtual function of an interface only the host
//      implements, so 1.0 and 1.1 plugins keep working; a 1.1 host refuses a 1.2 plugin.
// 2.0  The likeliest alternative tokens and generation up to the model's context:
//      TokenAlternative, Generation::top_logprobs, GenerationRequest::top_logprobs and
//      fit_to_context, GeneratedToken::top_logprobs; and Model::load_notes(), appended after
//      Model's other virtual functions. New members of structs that plugins
//      create and fill (a model backend's Generation), so a 1.x plugin's structs no longer
//      match the host's: 1.x plugins are refused and must be rebuilt.
// 2.1  Declared once and checked before running: Registrar::add_param_rule (ParamRule, a
//      cross-field rule the host checks at validation) and require_capabilities /
//      promise_capabilities (what an input's Model must have, what an output's is promised to
//      have), appended after Registrar's other virtual functions; settings_schema.hpp and
//      node_declaration.hpp, header-only helpers that call them. Only the host implements
//      Registrar, so 2.0 plugins keep working; a 2.0 host refuses a 2.1 plugin.
#pragma once

#include <cstdint>

namespace paddock {

inline constexpr std::uint16_t kAbiMajor = 2;
inline constexpr std::uint16_t kAbiMinor = 1;

}  // namespace paddock
