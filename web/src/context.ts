import { createContext, useCallback, useContext, useState, useSyncExternalStore } from "react";

import type { Api } from "./api/client";
import type { Session } from "./auth";
import type { ConsoleConfig } from "./config";
import { fieldMessage, problemText, useI18n } from "./i18n";
import { asProblem, fieldErrors } from "./problems";
import type { SummaryItem } from "./components/ErrorSummary";

export interface AppServices {
  config: ConsoleConfig;
  session: Session;
  api: Api;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error("AppContext is missing");
  return services;
}

/** Re-renders when the session signs in, refreshes away, expires or signs out. */
export function useSignedIn(): { signedIn: boolean; expired: boolean } {
  const { session } = useServices();
  const signedIn = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.signedIn,
  );
  const expired = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.hasExpired,
  );
  return { signedIn, expired };
}

/**
 * A form's errors from a problem document: at each field, and all of them for the error summary. `fields`
 * maps the API's field paths to their labels; `idPrefix` goes before each path in the summary's links, for
 * a form shown more than once on a page (its inputs' ids carry the same prefix).
 */
export function useFormErrors(fields: Record<string, string>, idPrefix = "") {
  const { language, t } = useI18n();
  const [byField, setByField] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<SummaryItem[]>([]);
  const fieldIds = Object.keys(fields);
  const key = fieldIds.join("|");

  const show = useCallback(
    (error: unknown) => {
      const problem = asProblem(error);
      const ids = key.split("|");
      const raw = fieldErrors(problem.problem, ids);
      const found = {
        byField: Object.fromEntries(
          Object.entries(raw.byField).map(([f, m]) => [f, fieldMessage(language, m, problem.language)]),
        ),
        other: raw.other.map((m) => fieldMessage(language, m, problem.language)),
      };
      const items: SummaryItem[] = [];
      for (const id of ids) {
        const message = found.byField[id];
        if (message) items.push({ field: `${idPrefix}${id}`, message: `${fields[id]}: ${message}` });
      }
      for (const message of found.other) items.push({ message });
      if (items.length === 0) {
        const text =
          problem.status === 0 ? t("common.networkError") : problemText(language, problem.slug, problem.problem.detail || problem.problem.title);
        items.push({ message: text });
      }
      setByField(found.byField);
      setSummary(items);
    },
    // fields' labels change with the language only
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, idPrefix, language, t],
  );

  /** The form's own messages; an item's `field` is the API's path, as in `fields`. */
  const setLocal = useCallback(
    (local: SummaryItem[]) => {
      const next: Record<string, string> = {};
      for (const item of local) if (item.field) next[item.field] = item.message;
      setByField(next);
      setSummary(local.map((item) => (item.field ? { ...item, field: `${idPrefix}${item.field}` } : item)));
    },
    [idPrefix],
  );

  const clear = useCallback(() => {
    setByField({});
    setSummary([]);
  }, []);

  return { byField, summary, show, setLocal, clear };
}
