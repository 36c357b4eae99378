// Save as page (web/save_page.js writes the file): the one number the app, the page and the README share.
//
//   trf("present.save_page_tip", {{"limit", std::to_string(kSavedPageModelLimitMB)}});
#pragma once

namespace attn {

// The largest model (all its files together) a saved page holds: every zoo model fits, and the file
// stays small enough for e-mail. A larger model is left out and the saved page says so.
inline constexpr int kSavedPageModelLimitMB = 16;
inline constexpr long long kSavedPageModelLimitBytes = static_cast<long long>(kSavedPageModelLimitMB) * 1024 * 1024;

}  // namespace attn
