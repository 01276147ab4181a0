// Where the API and the user pool are: read from /config.json at start-up, so one build serves every stage.

export interface ConsoleConfig {
  api_url: string;
  region: string;
  cognito: { endpoint?: string | null; user_pool_id: string; client_id: string };
  /** Whom a person asks for help (the footer, the accessibility statement): null if the stage names none. */
  support?: Support | null;
}

export interface Support {
  email: string;
  phone: string;
  hours: { da: string; en: string };
}

function parseSupport(value: unknown): Support | null {
  // A missing or broken contact leaves the footer without it rather than the console not starting.
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const hours = (v.hours ?? {}) as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === "string" && x.trim() ? x.trim() : null);
  const [email, phone, da, en] = [text(v.email), text(v.phone), text(hours.da), text(hours.en)];
  if (!email || !phone || !da || !en) return null;
  return { email, phone, hours: { da, en } };
}

export function parseConfig(value: unknown): ConsoleConfig {
  const fail = (what: string): never => {
    throw new Error(`config.json: ${what}`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const v = value as Record<string, unknown>;
  if (typeof v.api_url !== "string" || !v.api_url) fail("api_url is missing");
  if (typeof v.region !== "string" || !v.region) fail("region is missing");
  const cognito = v.cognito as Record<string, unknown> | undefined;
  if (typeof cognito !== "object" || cognito === null) return fail("cognito is missing");
  if (typeof cognito.client_id !== "string" || !cognito.client_id) fail("cognito.client_id is missing");
  if (typeof cognito.user_pool_id !== "string") fail("cognito.user_pool_id is missing");
  if (cognito.endpoint != null && typeof cognito.endpoint !== "string") fail("cognito.endpoint is not a URL");
  return {
    api_url: (v.api_url as string).replace(/\/+$/, ""),
    region: v.region as string,
    cognito: {
      endpoint: (cognito.endpoint as string | null | undefined) ?? null,
      user_pool_id: cognito.user_pool_id as string,
      client_id: cognito.client_id as string,
    },
    support: parseSupport(v.support),
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  return parseConfig(await response.json());
}
