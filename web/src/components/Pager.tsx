import { useState } from "react";

import { useI18n } from "../i18n";

/** Cursor paging: the API gives the next page's cursor; the pages before are remembered here. */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: (nextCursor: string) => setStack([...stack, nextCursor]),
    previous: () => setStack(stack.length > 1 ? stack.slice(0, -1) : stack),
    reset: () => setStack([undefined]),
  };
}

export function Pager({
  pages,
  nextCursor,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
}) {
  const { t } = useI18n();
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <nav className="pagination" aria-label={`${t("common.previousPage")} / ${t("common.nextPage")}`}>
      <button type="button" className="button button-secondary" disabled={pages.page === 1} onClick={pages.previous}>
        {t("common.previousPage")}
      </button>{" "}
      <span aria-live="polite">{pages.page}</span>{" "}
      <button
        type="button"
        className="button button-secondary"
        disabled={!nextCursor}
        onClick={() => nextCursor && pages.next(nextCursor)}
      >
        {t("common.nextPage")}
      </button>
    </nav>
  );
}
