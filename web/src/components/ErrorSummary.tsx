import { useEffect, useId, useRef } from "react";

import { useI18n } from "../i18n";

export interface SummaryItem {
  field?: string; // the id of the field the message belongs to, linked
  message: string;
  /** The field's label, which the summary says before the message (the field itself shows the message only). */
  label?: string;
}

/** DKFDS error summary at the top of a form: focused when it appears, each message a link to its field. */
export function ErrorSummary({ items }: { items: SummaryItem[] }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  // Its own id: a page may show the summaries of two forms at once (one per company waiting for proof).
  const headingId = useId();
  const shown = items.length > 0;
  // Focused when it appears or says something else, not at every render of the form around it: a form that
  // builds its list anew as the person types would otherwise take the focus from the field at each keystroke.
  const said = items.map((item) => `${item.field ?? ""}\u0000${item.label ?? ""}\u0000${item.message}`).join("\n");
  useEffect(() => {
    if (said) ref.current?.focus();
  }, [said]);
  if (!shown) return null;
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1} ref={ref} aria-labelledby={headingId}>
      <div className="alert-body">
        <h2 className="alert-heading" id={headingId}>
          {t("common.errorSummary")}
        </h2>
        <ul className="nobullet-list">
          {items.map((item, i) => (
            <li key={`${item.field ?? ""}-${i}`}>
              {item.field ? (
                <a
                  href={`#${item.field}`}
                  className="function-link"
                  onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(item.field ?? "")?.focus();
                  }}
                >
                  {item.label ? `${item.label}: ${item.message}` : item.message}
                </a>
              ) : (
                item.message
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
