import type { QueryClient } from "@tanstack/react-query";

import { problemText, type Language } from "../i18n";
import { asProblem } from "../problems";

/** A failed staff call in words: our text for a known problem, else the API's detail. */
export function problemMessage(error: unknown, language: Language, networkError: string): string {
  const problem = asProblem(error);
  if (problem.status === 0) return networkError;
  return problemText(language, problem.slug, problem.problem.detail || problem.problem.title);
}

/**
 * After a change: a fetch of these queries still on its way began before the change and would answer
 * without it, so it is cancelled and the queries asked again.
 */
export async function refresh(queryClient: QueryClient, queryKey: readonly unknown[]): Promise<void> {
  await queryClient.cancelQueries({ queryKey });
  await queryClient.invalidateQueries({ queryKey });
}
