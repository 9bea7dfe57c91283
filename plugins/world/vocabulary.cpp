// The world's fixed word lists; see vocabulary.hpp.
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

constexpr std::string_view kNouns[] = {
    "apple",   "anchor",  "basket",  "beacon",   "bottle",  "bridge",   "button",  "candle",
    "canyon",  "carpet",  "castle",  "cellar",   "chair",   "cherry",   "circle",  "cloud",
    "comet",   "copper",  "cotton",  "crystal",  "desert",  "dinner",   "doctor",  "dragon",
    "engine",  "falcon",  "feather", "field",    "forest",  "fountain", "garden",  "glacier",
    "goblet",  "guitar",  "hammer",  "harbor",   "helmet",  "island",   "jacket",  "kettle",
    "ladder",  "lantern", "lemon",   "letter",   "marble",  "meadow",   "mirror",  "monkey",
    "needle",  "number",  "ocean",   "orange",   "orchard", "paper",    "parrot",  "pencil",
    "pepper",  "pillow",  "planet",  "pocket",   "puzzle",  "rabbit",   "ribbon",  "river",
    "rocket",  "saddle",  "salmon",  "school",   "shadow",  "silver",   "spider",  "spoon",
    "statue",  "stone",   "summer",  "sunset",   "table",   "teacher",  "thunder", "ticket",
    "tiger",   "timber",  "tomato",  "tower",    "trumpet", "tunnel",   "valley",  "velvet",
    "violin",  "wagon",   "walnut",  "window",   "winter",  "wizard",   "yogurt",  "zebra",
    "acorn",   "bakery",  "blanket", "cabin",    "camera",  "cactus",   "compass", "cookie",
    "dolphin", "emerald", "fabric",  "gravel",   "harvest", "insect",   "journal", "kitten",
    "library", "magnet",  "napkin",  "oyster",   "pebble",  "quartz",   "raven",   "sailor",
    "signal",  "spinach", "thimble", "umbrella", "vessel",  "whistle",  "canoe",   "market",
};

constexpr std::string_view kAdjectives[] = {
    "quiet", "bright", "gentle", "rapid",  "golden", "hollow", "silent", "ancient",
    "brave", "calm",   "clever", "dusty",  "eager",  "faint",  "fierce", "fresh",
    "grand", "happy",  "humble", "lively", "lonely", "lucky",  "narrow", "noble",
    "proud", "rusty",  "sharp",  "shiny",  "smooth", "solid",  "steady", "sturdy",
    "sunny", "swift",  "tender", "tiny",   "vivid",  "warm",   "wild",   "wooden",
};

constexpr std::string_view kGoods[] = {
    "copper",  "tin",     "salt",   "timber", "wool",  "amber", "coffee", "tea",   "rice", "cotton",
    "silk",    "marble",  "olives", "honey",  "glass", "paper", "spices", "dates", "iron", "cocoa",
    "pottery", "leather", "pearls", "barley", "figs",  "sugar", "indigo", "jade",  "coal", "rubber",
};

constexpr std::string_view kAnimals[] = {
    "heron",  "lynx",   "otter",  "ibex",    "crane",   "badger", "falcon", "bison",
    "marten", "gecko",  "stork",  "jackal",  "tapir",   "puffin", "mole",   "egret",
    "wolf",   "osprey", "beaver", "chamois", "pelican", "hare",   "newt",   "kestrel",
};

constexpr std::string_view kSyllables[] = {
    "ka",  "lor", "ve",  "tan", "mi",  "ro",  "sel", "da",  "un",  "bri", "ost", "fa",
    "nel", "qui", "zar", "po",  "len", "tha", "gor", "is",  "mer", "va",  "dun", "el",
    "sa",  "rim", "to",  "ber", "cal", "ny",  "dor", "ash", "fen", "hal", "ju",  "kel",
};

}  // namespace

std::span<const std::string_view> nouns() {
  return kNouns;
}
std::span<const std::string_view> adjectives() {
  return kAdjectives;
}
std::span<const std::string_view> goods() {
  return kGoods;
}
std::span<const std::string_view> animals() {
  return kAnimals;
}
std::span<const std::string_view> name_syllables() {
  return kSyllables;
}

}  // namespace paddock::world
