// The owner's console settings beyond colours and texts (launcher text and icon,
// team picture, pre-chat questions, language and its words) pass through as the
// server checked them; the picture must still be an http(s) address to become an
// <img>, and the pre-chat questions default to off.

export function consoleSettings(w) {
  return {
    ...w,
    avatar_url: /^https?:\/\//.test(w.avatar_url) ? w.avatar_url : "",
    prechat_name: w.prechat_name || "off",
    prechat_email: w.prechat_email || "off",
  };
}
