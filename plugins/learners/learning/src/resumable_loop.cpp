// The shared outer loop of the learners.
#include "paddock/learning/resumable_loop.hpp"

#include "paddock/context.hpp"
#include "paddock/error.hpp"

namespace paddock::learning {

void run_resumable_loop(const ResumableLoop& loop) {
  for (std::int64_t index = loop.start; index < loop.total; ++index) {
    if (loop.cancelled()) {
      // A cancelled run keeps its progress for the next run.
      if (index > 0 && loop.saved() != index) loop.save(index);
      throw Cancelled();
    }
    loop.iterate(index);
    const std::int64_t done = index + 1;
    if (loop.checkpoint_every > 0 && done % loop.checkpoint_every == 0 && done < loop.total)
      loop.save(done);
    if (loop.start == 0 && loop.stop_after > 0 && done == loop.stop_after && done < loop.total) {
      throw Error((loop.where.empty() ? "" : loop.where + ": ") + "stopped after " +
                  std::to_string(done) + " " + loop.unit + " as " + loop.stop_parameter +
                  " asks (a testing aid); running again resumes from the last checkpoint");
    }
  }
}

}  // namespace paddock::learning
