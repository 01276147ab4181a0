import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { useI18n, type MessageKey } from "../i18n";
import { CompaniesSection } from "./Companies";

type Me = Schemas["Me"];

function AddressForm({ address, onDone }: { address: Schemas["Address"] | null; onDone: () => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [street, setStreet] = useState(address?.street ?? "");
  const [postcode, setPostcode] = useState(address?.postcode ?? "");
  const [city, setCity] = useState(address?.city ?? "");
  const errors = useFormErrors({
    "address.street": t("masterdata.street"),
    "address.postcode": t("masterdata.postcode"),
    "address.city": t("masterdata.city"),
  });
  const save = useMutation({
    mutationFn: () =>
      unwrap(session, () => api.PATCH("/v1/organisation", { body: { address: { street: street.trim(), postcode: postcode.trim(), city: city.trim() } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["organisation"] });
      onDone();
    },
    onError: errors.show,
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    save.mutate();
  }
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary items={errors.summary} />
      <Field id="address.street" label={t("masterdata.street")} value={street} onChange={setStreet} autoComplete="street-address" error={errors.byField["address.street"]} />
      <Field id="address.postcode" label={t("masterdata.postcode")} value={postcode} onChange={setPostcode} inputMode="numeric" autoComplete="postal-code" error={errors.byField["address.postcode"]} />
      <Field id="address.city" label={t("masterdata.city")} value={city} onChange={setCity} autoComplete="address-level2" error={errors.byField["address.city"]} />
      <button className="button button-primary" type="submit" disabled={save.isPending}>
        {t("masterdata.saveAddress")}
      </button>{" "}
      <button className="button button-tertiary" type="button" onClick={onDone}>
        {t("common.cancel")}
      </button>
    </form>
  );
}

/** Stamdata: the organisation, its address, and the companies and accounts in the caller's scope; for
 * administrators also the companies waiting for proof, and adding one. */
export function MasterDataTab({ me }: { me: Me }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const organisation = useQuery({
    queryKey: ["organisation"],
    queryFn: () => unwrap(session, () => api.GET("/v1/organisation")),
  });
  const org = organisation.data;
  const mayChange = me.functions.includes("masterdata");
  if (organisation.isPending) return <p>{t("common.loading")}</p>;
  if (!org) return <Notice kind="error"><p className="alert-text">{t("common.networkError")}</p></Notice>;
  return (
    <section aria-labelledby="masterdata-heading">
      <h2 id="masterdata-heading">{t("masterdata.title")}</h2>
      <h3>{t("masterdata.organisation")}</h3>
      <dl className="masterdata">
        <dt>{t("masterdata.name")}</dt>
        <dd>{org.name}</dd>
        <dt>{t("masterdata.handle")}</dt>
        <dd>{org.handle}</dd>
        <dt>{t("masterdata.status")}</dt>
        <dd>{t(`status.${org.status}` as MessageKey) ?? org.status}</dd>
        <dt>{t("masterdata.contact")}</dt>
        <dd>{org.contact_email ?? t("common.none")}</dd>
        <dt>{t("masterdata.address")}</dt>
        <dd>
          {org.address ? `${org.address.street}, ${org.address.postcode} ${org.address.city}` : t("masterdata.noAddress")}
        </dd>
      </dl>
      {mayChange && !editing ? (
        <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
          {t("masterdata.editAddress")}
        </button>
      ) : null}
      {editing ? <AddressForm address={org.address ?? null} onDone={() => setEditing(false)} /> : null}
      <h3>{t("masterdata.companies")}</h3>
      {org.companies.map((company) => (
        <div key={company.cvr} className="company">
          <h4>
            {company.name} (CVR {company.cvr})
          </h4>
          <Table
            caption={<>{t("masterdata.companies")}: {company.name}</>}
            columns={[t("codes.account"), t("masterdata.accountName"), t("codes.status")]}
          >
            {company.accounts.map((account) => (
              <tr key={account.number}>
                <td>{account.number}</td>
                <td>{account.name}</td>
                <td>{t(`status.${account.status}` as MessageKey) ?? account.status}</td>
              </tr>
            ))}
          </Table>
        </div>
      ))}
      {me.functions.includes("users") ? <CompaniesSection organisation={org} /> : null}
    </section>
  );
}
