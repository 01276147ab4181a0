import { problemText, type Language } from "../i18n";
import { asProblem } from "../problems";

/** A failed staff call in words: our text for a known problem, else the API's detail. */
export function problemMessage(error: unknown, language: Language, networkError: string): string {
  const problem = asProblem(error);
  if (problem.status === 0) return networkError;
  return problemText(language, problem.slug, problem.problem.detail || problem.problem.title);
}
