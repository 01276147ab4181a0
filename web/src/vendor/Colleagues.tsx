// Kolleger: the vendor's people as a vendor's person sees them. The list (newest first), Invitér kollega (the
// same fields and rules as an organisation's colleague, checked by the API's own rules first), and Fjern
// behind a confirmation that opens on Annuller. Only their own vendor's people; the API decides the rest.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { VendorContact } from "../api/rules";
import { ConfirmModal } from "../components/ConfirmModal";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { ListState } from "../components/ListState";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { invitationRefusal } from "../invitations";
import { checkFields } from "../rules";
import { problemMessage } from "../staff/problem";

type Person = Schemas["VendorPerson"];
const PEOPLE = ["vendor-people"];
const FIELDS = ["first_name", "last_name", "email", "mobile"] as const;
type FieldName = (typeof FIELDS)[number];
const EMPTY: Record<FieldName, string> = { first_name: "", last_name: "", email: "", mobile: "" };

function fullName(person: Person): string {
  return `${person.first_name} ${person.last_name}`;
}

/** Invitér kollega: names, e-mail and mobile; the API mails the invitation. */
function InviteColleague({ onInvited }: { onInvited: (person: Person) => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [values, setValues] = useState<Record<FieldName, string>>(EMPTY);
  const labels = Object.fromEntries(FIELDS.map((f) => [f, t(`field.${f}`)]));
  const errors = useFormErrors(labels, "colleague-");
  // What is sent: names and e-mail without the spaces around them; the mobile as typed (the API reads it).
  const sent = () => Object.fromEntries(FIELDS.map((f) => [f, f === "mobile" ? values[f] : values[f].trim()])) as Record<FieldName, string>;
  const invite = useMutation({
    mutationFn: () => unwrap(session, () => api.POST("/v1/vendor/users", { body: { ...sent(), language } })),
    onSuccess: (person) => {
      setValues(EMPTY);
      onInvited(person);
    },
    // The fields keep what was typed; the summary says why nothing was sent.
    onError: (error) => {
      const refused = invitationRefusal(error, language, t);
      if (refused) errors.setLocal([{ message: refused }]);
      else errors.show(error);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    const broken = checkFields(sent(), VendorContact, language);
    const lacking = FIELDS.filter((f) => broken[f]).map((f) => ({ field: f, message: broken[f] ?? "", label: labels[f] }));
    if (lacking.length > 0) {
      errors.setLocal(lacking);
      return;
    }
    invite.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="invite-colleague-heading">
      <h3 id="invite-colleague-heading">{t("vendorTeam.invite")}</h3>
      <ErrorSummary items={errors.summary} />
      {FIELDS.map((f) => (
        <Field
          key={f}
          id={`colleague-${f}`}
          type={f === "email" ? "email" : f === "mobile" ? "tel" : "text"}
          label={t(`field.${f}`)}
          hint={f === "mobile" ? t("field.mobileHint") : undefined}
          value={values[f]}
          onChange={(value) => setValues((now) => ({ ...now, [f]: value }))}
          autoComplete="off"
          error={errors.byField[f]}
        />
      ))}
      <button type="submit" className="button button-primary" disabled={invite.isPending}>
        {t("vendorTeam.invite")}
      </button>
    </form>
  );
}

/** The section *Kolleger* of Leverandør. */
export function Colleagues({ vendorName }: { vendorName: string }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<Person | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const people = useQuery({ queryKey: PEOPLE, queryFn: () => unwrap(session, () => api.GET("/v1/vendor/users")) });
  const remove = useMutation({
    mutationFn: (person: Person) =>
      unwrap(session, () => api.DELETE("/v1/vendor/users/{user_id}", { params: { path: { user_id: person.user_id } } })),
    onSuccess: (_, person) => {
      setRemoving(null);
      // Said where the keyboard is: the person's button has gone with them.
      setMessage(t("vendorTeam.removed").replace("{name}", fullName(person)));
      void queryClient.invalidateQueries({ queryKey: PEOPLE });
    },
  });
  const status = (person: Person) =>
    person.status === "invited" ? t("vendorTeam.invited") : person.status === "active" ? t("vendorTeam.active") : t("vendorTeam.disabled");
  const items = people.data?.items ?? [];
  return (
    <section aria-labelledby="colleagues-heading">
      <h2 id="colleagues-heading">{t("vendorTeam.title")}</h2>
      <p>{t("vendorTeam.intro").replace("{vendor}", vendorName)}</p>
      {message ? (
        <Outcome said={message}>
          <p className="alert-text">{message}</p>
        </Outcome>
      ) : null}
      <ListState query={people} empty={t("vendorTeam.empty")}>
        <Table caption={t("vendorTeam.title")} columns={[t("vendorTeam.name"), t("field.email"), t("vendorTeam.status"), t("vendorTeam.since"), t("common.actions")]}>
          {items.map((person) => (
            <tr key={person.user_id}>
              <td>
                {fullName(person)} {person.you ? t("vendorTeam.you") : null}
              </td>
              <td>{person.email}</td>
              <td>{status(person)}</td>
              <td>{formatDateTime(person.created_at, language)}</td>
              <td>
                {person.you ? (
                  "–"
                ) : (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`${t("vendorTeam.remove")}: ${fullName(person)}`}
                    onClick={() => {
                      remove.reset();
                      setMessage(null);
                      setRemoving(person);
                    }}
                  >
                    {t("vendorTeam.remove")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      </ListState>
      <InviteColleague
        onInvited={(person) => {
          setMessage(t("vendorTeam.sent").replace("{name}", fullName(person)).replace("{email}", person.email));
          void queryClient.invalidateQueries({ queryKey: PEOPLE });
        }}
      />
      {removing ? (
        <ConfirmModal
          title={t("vendorTeam.removeTitle").replace("{name}", fullName(removing))}
          confirmLabel={t("vendorTeam.remove")}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(removing)}
          onClose={() => setRemoving(null)}
        >
          <p>{t("vendorTeam.removeText").replaceAll("{name}", fullName(removing))}</p>
          {remove.isError ? (
            <Notice kind="error">
              <p className="alert-text">{problemMessage(remove.error, language, t("common.networkError"))}</p>
            </Notice>
          ) : null}
        </ConfirmModal>
      ) : null}
    </section>
  );
}
