/** Where `crego sandbox` listens by default: shared by its own help and by the examples other commands print. */
export const DEFAULT_SANDBOX_PORT = 4010;
export const DEFAULT_SANDBOX_URL = `http://127.0.0.1:${DEFAULT_SANDBOX_PORT}`;
