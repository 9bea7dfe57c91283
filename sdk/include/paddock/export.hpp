// Symbol visibility for the SDK. Plugins are compiled with hidden visibility; SDK classes
// keep default visibility so their typeinfo is shared (dynamic_cast works across libraries).
#pragma once

#define PADDOCK_API __attribute__((visibility("default")))
