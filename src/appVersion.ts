// Fixed at build time (vite `define`), so a new deployment names a new broker and channel.
declare const __APP_VERSION__: string;
export const APP_VERSION: string = __APP_VERSION__;
