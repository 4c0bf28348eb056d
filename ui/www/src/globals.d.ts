// The Tauri global injected by `app.withGlobalTauri`. Only src/backend.js may use it.
interface Window {
  __TAURI__: {
    core: { invoke(cmd: string, args?: Record<string, unknown>): Promise<unknown> };
  };
}
