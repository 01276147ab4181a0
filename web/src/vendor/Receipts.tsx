// Kontroller and Hændelser in Leverandør: the vendor's checks (newest first, by Danish date, downloaded as CSV
// with the token in the Authorization header, never in a link) and the vendor's event feed. Only the signed-in
// person's own vendor: the API decides that; this page only shows it.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n, type MessageKey } from "../i18n";

interface Period {
  from?: string;
  to?: string;
}

/** A Danish date as a person writes it (1.12.2026, 01-12-2026, 1/12/2026) or ISO, as ISO; null if none. */
export function isoDay(text: string): string | null {
  const trimmed = text.trim();
  const danish = /^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$/.exec(trimmed);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const [year, month, day] = danish
    ? [Number(danish[3]), Number(danish[2]), Number(danish[1])]
    : iso
      ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
      : [0, 0, 0];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!year || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return date.toISOString().slice(0, 10);
}

/** Kontroller: the date filter, Hent som CSV, and the checks. */
function Checks() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [fromText, setFromText] = useState("");
  const [toText, setToText] = useState("");
  const [period, setPeriod] = useState<Period>({});
  const [downloading, setDownloading] = useState(false);
  const pages = useCursorPages();
  const errors = useFormErrors({ from: t("receipts.from"), to: t("receipts.to") }, "checks-");
  const checks = useQuery({
    queryKey: ["vendor-checks", period, pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/vendor/validations", { params: { query: { ...period, cursor: pages.cursor } } }),
      ),
    placeholderData: keepPreviousData,
  });

  /** The period the fields say, or null after showing what to correct. */
  function asked(): Period | null {
    const found: Period = {};
    const wrong: { field: string; message: string }[] = [];
    for (const [field, text] of [
      ["from", fromText],
      ["to", toText],
    ] as const) {
      if (!text.trim()) continue;
      const day = isoDay(text);
      if (day) found[field] = day;
      else wrong.push({ field, message: t("receipts.dateWrong") });
    }
    if (wrong.length) {
      errors.setLocal(wrong);
      return null;
    }
    errors.clear();
    return found;
  }

  const filter = (e: FormEvent) => {
    e.preventDefault();
    const next = asked();
    if (!next) return;
    pages.reset();
    setPeriod(next);
  };

  async function download() {
    const next = asked();
    if (!next) return;
    setDownloading(true);
    try {
      const file = await unwrap(session, () =>
        api.GET("/v1/vendor/validations/export", { params: { query: next }, parseAs: "blob" }),
      );
      const url = URL.createObjectURL(file);
      const link = document.createElement("a");
      link.href = url;
      link.download = `godkend-kontroller-${next.from ?? "start"}-${next.to ?? "i-dag"}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      // After the click has handed the file to the browser's download.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      errors.show(error);
    } finally {
      setDownloading(false);
    }
  }

  const items = checks.data?.items ?? [];
  const filtered = Boolean(period.from || period.to);
  return (
    <section aria-labelledby="checks-heading">
      <h2 id="checks-heading">{t("receipts.title")}</h2>
      <p>{t("receipts.intro")}</p>
      <form onSubmit={filter} noValidate aria-label={t("receipts.filter")}>
        <ErrorSummary items={errors.summary} />
        <Field
          id="checks-from"
          label={t("receipts.from")}
          hint={t("receipts.dateHint")}
          value={fromText}
          onChange={setFromText}
          error={errors.byField["from"]}
          inputMode="numeric"
          autoComplete="off"
        />
        <Field
          id="checks-to"
          label={t("receipts.to")}
          hint={t("receipts.dateHint")}
          value={toText}
          onChange={setToText}
          error={errors.byField["to"]}
          inputMode="numeric"
          autoComplete="off"
        />
        <button type="submit" className="button button-primary">
          {t("receipts.show")}
        </button>{" "}
        <button
          type="button"
          className="button button-secondary"
          disabled={downloading}
          onClick={() => void download()}
        >
          {t("receipts.download")}
        </button>
      </form>
      <ListState query={checks} empty={filtered ? t("receipts.emptyPeriod") : t("receipts.empty")}>
        <Table
          caption={t("receipts.title")}
          columns={[
            t("receipts.validatedAt"),
            t("receipts.organisation"),
            t("receipts.cvr"),
            t("receipts.representative"),
            t("receipts.validUntil"),
            t("vendor.mode"),
          ]}
        >
          {items.map((check) => (
            <tr key={check.validation_id}>
              <td>{formatDateTime(check.validated_at, language)}</td>
              <td className="card-lead">{check.organisation.name}</td>
              <td>{check.organisation.cvr}</td>
              <td>{`${check.representative.first_name} ${check.representative.last_name}`}</td>
              <td>{formatDateTime(check.code_expires_at, language)}</td>
              <td>{check.livemode ? t("vendor.mode.liveShort") : t("vendor.mode.testShort")}</td>
            </tr>
          ))}
        </Table>
        <Pager pages={pages} nextCursor={checks.data?.next_cursor} />
      </ListState>
    </section>
  );
}

const EVENT_TYPES: Record<string, MessageKey> = {
  "code.revoked": "events.type.code.revoked",
  "code.renewed": "events.type.code.renewed",
  "organisation.suspended": "events.type.organisation.suspended",
  "organisation.rejected": "events.type.organisation.rejected",
  "organisation.reinstated": "events.type.organisation.reinstated",
};
const DELIVERIES: Record<string, MessageKey> = {
  pending: "events.delivery.pending",
  delivered: "events.delivery.delivered",
  failed: "events.delivery.failed",
  paused: "events.delivery.paused",
  no_endpoint: "events.delivery.no_endpoint",
};

/** Hændelser: what the vendor was told (or could page at GET /v1/events), oldest first. */
function Events() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const pages = useCursorPages();
  const events = useQuery({
    queryKey: ["vendor-events", pages.cursor],
    queryFn: () =>
      unwrap(session, () => api.GET("/v1/vendor/events", { params: { query: { cursor: pages.cursor, limit: 100 } } })),
    placeholderData: keepPreviousData,
  });
  const items = events.data?.items ?? [];
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">{t("events.title")}</h2>
      <p>{t("events.intro")}</p>
      <ListState query={events} empty={pages.page > 1 ? t("events.noMore") : t("events.empty")}>
        <Table
          caption={t("events.title")}
          columns={[t("events.when"), t("events.what"), t("receipts.organisation"), t("events.delivery")]}
        >
          {items.map((event) => (
            <tr key={event.id}>
              <td>{formatDateTime(event.created_at, language)}</td>
              <td className="card-lead">{t(EVENT_TYPES[event.type] ?? "events.type.other")}</td>
              <td>{event.data.organisation.name}</td>
              <td>{t(DELIVERIES[event.delivery.status] ?? "events.delivery.pending")}</td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={items.length ? events.data?.next_cursor : null} />
    </section>
  );
}

/** Kontroller and Hændelser, as one part of Leverandør. */
export function ReceiptsAndEvents() {
  return (
    <>
      <Checks />
      <Events />
    </>
  );
}
