import "./first-screen.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { makeApi } from "./api/client";
import { Session } from "./auth";
import { loadConfig } from "./config";
import { designSystem } from "./design-system";

/**
 * What every screen but the sign-in needs, fetched once the first screen is painted and the page is idle,
 * while the sign-in is typed into; a failure shows where it is needed (App.tsx's SignedInArea). A first
 * screen that needs them asks for them as it renders.
 */
function fetchTheRest() {
  const fetch = () => {
    designSystem().catch(() => undefined);
    import("./pages/Account").catch(() => undefined);
  };
  // When the browser is idle (a slow phone's first frames are not), within a second at the latest.
  requestAnimationFrame(() =>
    "requestIdleCallback" in window ? requestIdleCallback(fetch, { timeout: 1000 }) : setTimeout(fetch),
  );
}

async function start() {
  const root = createRoot(document.getElementById("root") as HTMLElement);
  try {
    const config = await loadConfig();
    const session = new Session(config);
    const api = makeApi(config, session);
    root.render(
      <StrictMode>
        <App services={{ config, session, api }} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <main className="container">
        <h1>Godkend</h1>
        <p>Min konto kunne ikke starte. Prøv igen om lidt. / Min konto could not start. Try again shortly.</p>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  }
  fetchTheRest();
}

void start();
