#pragma once
// Whether a message has a phrase in it: how the tests check what an error or a label says.
#include <string>

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
