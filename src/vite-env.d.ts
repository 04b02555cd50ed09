/// <reference types="vite/client" />
// __APP_VERSION__ is declared where it is read (src/appVersion.ts); Vite's `define` fills it.
