// Path data for the widget's icons (24x24, drawn as strokes by the stylesheet).

export const CHAT = "M21 11.5a8.4 8.4 0 0 1-9 8.4 9.2 9.2 0 0 1-3.8-.8L3 21l1.9-4.8A7.9 7.9 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z";
export const CHEVRON_DOWN = "M6 9l6 6 6-6";
export const CLOSE = "M18 6L6 18M6 6l12 12";
export const SEND = ["M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z"];
export const CHECK = "M4.5 12.5l4.5 4.5 10-10";
export const DOUBLE_CHECK = ["M1.5 12.5l4.5 4.5 10-10", "M11.5 16l1 1 10-10"];
export const CLOCK = ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 7v5l3 2"];
export const ALERT = ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 8v5", "M12 16.5v.5"];
export const HELP = ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3", "M12 17h.01"];
