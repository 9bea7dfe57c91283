// Everything a plugin author includes.
#pragma once

#include "paddock/annotator.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/context.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/model.hpp"
#include "paddock/node.hpp"
#include "paddock/params.hpp"
#include "paddock/plugin.hpp"
#include "paddock/random.hpp"
#include "paddock/registrar.hpp"
#include "paddock/report.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/seed.hpp"
#include "paddock/simple_node.hpp"
