/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_COMMANDER_API?: string;
}

interface Window {
  COMMANDER_API?: string;
}
