// Entry point of the chat chunk (static/widget-chat.js), loaded by chunk-loader.js.

import { startChat } from "./chat.js";
import { register } from "./chunk.js";

register(startChat);
