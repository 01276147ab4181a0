// RFC 9457 problem documents from the API, turned into what a form shows: a message per field (by the
// field's path, e.g. "applicant.email") and one for the whole form.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[] | null;
}

export class ApiProblem extends Error {
  readonly problem: Problem;
  /** From the answer's Retry-After header (a 429 or 503): how long to wait before asking again. */
  readonly retryAfterSeconds: number | null;
  /** From the answer's Content-Language: the language the API said the problem's messages in, if it said. */
  readonly language: string | null;

  constructor(problem: Problem, retryAfterSeconds: number | null = null, language: string | null = null) {
    super(problem.detail || problem.title);
    this.name = "ApiProblem";
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
    this.language = language;
  }

  /** The last segment of the type URI: "last-administrator", "invalid-input", … */
  get slug(): string {
    return slugOf(this.problem.type);
  }

  get status(): number {
    return this.problem.status;
  }
}

export function slugOf(type: string): string {
  const cut = type.replace(/\/+$/, "");
  return cut.slice(cut.lastIndexOf("/") + 1);
}

/** A Retry-After header in seconds: the delta-seconds the API sends, or an HTTP date from `now` on. */
export function retryAfterSeconds(header: string | null, now: Date = new Date()): number | null {
  if (header === null || header.trim() === "") return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.type === "string" && typeof candidate.status === "number";
}

/** An error of any kind as an ApiProblem: problem documents as they are, anything else as a network one. */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (isProblem(error)) return new ApiProblem(error);
  return new ApiProblem({
    type: "about:blank#network",
    title: "Network error",
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Field errors keyed by field path; `known` maps the API's path onto the form's own field where they
 * differ (the API may name `body` or a nested path the form shows as one field). Errors for fields the
 * form does not show are returned apart, so they still reach the person (in the error summary).
 */
export function fieldErrors(
  problem: Problem,
  formFields: readonly string[],
): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const error of problem.errors ?? []) {
    const field = formFields.find((f) => f === error.field || error.field.startsWith(`${f}.`));
    if (field === undefined) other.push(error.message);
    else if (!(field in byField)) byField[field] = error.message;
  }
  return { byField, other };
}
