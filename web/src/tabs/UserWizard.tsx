import { useEffect, useState, type FormEvent } from "react";

import type { Schemas } from "../api/client";
import { NewColleague } from "../api/rules";
import { ErrorSummary, type SummaryItem } from "../components/ErrorSummary";
import { Checkbox, Field, RadioGroup } from "../components/Field";
import { useI18n, type Language, type MessageKey } from "../i18n";
import { checkFields } from "../rules";

type Me = Schemas["Me"];
type Fn = Schemas["Function"];
export const FUNCTIONS: Fn[] = ["codes", "users", "masterdata", "history"];

export interface Grant {
  access: "full" | "limited";
  accounts: string[];
}

export interface WizardValues {
  first_name: string;
  last_name: string;
  email: string;
  mobile: string;
  grants: Record<string, Grant>; // by CVR: the companies chosen
  functions: Fn[];
}

export const EMPTY: WizardValues = { first_name: "", last_name: "", email: "", mobile: "", grants: {}, functions: [] };

/** The body's `companies` as the API wants them. */
export function companiesOf(values: WizardValues): (Schemas["FullAccess"] | Schemas["LimitedAccess"])[] {
  return Object.entries(values.grants).map(([cvr, grant]) =>
    grant.access === "full" ? { cvr, access: "full" } : { cvr, access: "limited", accounts: grant.accounts },
  );
}

const DETAILS = ["first_name", "last_name", "email", "mobile"] as const;

/**
 * What a step lacks before "Næste" takes the person on: the user details by the API's own rules and words
 * (from its OpenAPI document, as the API will check them), the choices by what the API needs. The summary
 * names the field; the message at the field says only what to do.
 */
export function missing(
  step: number,
  values: WizardValues,
  me: Me,
  t: (k: MessageKey) => string,
  language: Language = "da",
): SummaryItem[] {
  const found: SummaryItem[] = [];
  if (step === 1) {
    // What is sent: names and e-mail without the spaces around them (changesOf in Users.tsx).
    const sent = Object.fromEntries(DETAILS.map((f) => [f, f === "mobile" ? values[f] : values[f].trim()]));
    const broken = checkFields(sent, NewColleague, language);
    for (const field of DETAILS) {
      const message = broken[field];
      if (message) found.push({ field: `user-${field}`, message, label: t(`field.${field}`) });
    }
  }
  if (step === 2 && Object.keys(values.grants).length === 0) {
    found.push({ field: `user-company-${me.companies[0]?.cvr ?? ""}`, message: t("users.pickCompany") });
  }
  if (step === 3) {
    for (const [cvr, grant] of Object.entries(values.grants)) {
      if (grant.access === "limited" && grant.accounts.length === 0) {
        const name = me.companies.find((c) => c.cvr === cvr)?.name ?? cvr;
        found.push({ message: `${t("users.pickAccount")} ${name}.` });
      }
    }
  }
  if (step === 4 && values.functions.length === 0) found.push({ message: t("users.pickFunction") });
  return found;
}

interface WizardProps {
  me: Me;
  title: string;
  initial: WizardValues;
  submitLabel: string;
  busy: boolean;
  serverErrors: SummaryItem[];
  onSubmit: (values: WizardValues) => void;
  onCancel: () => void;
}

const STEPS: MessageKey[] = ["users.step1", "users.step2", "users.step3", "users.step4"];

/** "Opret selvbetjeningsbruger": user details → companies → access to account numbers → functions. */
export function UserWizard({ me, title, initial, submitLabel, busy, serverErrors, onSubmit, onCancel }: WizardProps) {
  const { t, language } = useI18n();
  const [step, setStep] = useState(1);
  const [values, setValues] = useState<WizardValues>(initial);
  const [local, setLocal] = useState<SummaryItem[]>([]);
  const set = <K extends keyof WizardValues>(key: K, value: WizardValues[K]) => setValues({ ...values, [key]: value });
  const grantable = FUNCTIONS.filter((f) => me.functions.includes(f));

  // The API found something wrong with the user details: back to that step, where the fields are.
  useEffect(() => {
    if (serverErrors.some((e) => e.field?.startsWith("user-"))) setStep(1);
  }, [serverErrors]);

  function forward(e: FormEvent) {
    e.preventDefault();
    const lacking = missing(step, values, me, t, language);
    setLocal(lacking);
    if (lacking.length > 0) return;
    if (step < 4) setStep(step + 1);
    else onSubmit(values);
  }

  const errors = local.length > 0 ? local : serverErrors;
  const errorAt = (field: string) => errors.find((e) => e.field === field)?.message;

  return (
    <form onSubmit={forward} noValidate className="user-wizard">
      <h3>{title}</h3>
      <p className="step-indicator-text">
        {t("users.step")} {step} {t("users.stepOf")} 4: {t(STEPS[step - 1] ?? "users.step1")}
      </p>
      <ErrorSummary items={errors} />
      {step === 1 ? (
        <fieldset>
          <legend className="h4">{t("users.step1")}</legend>
          <p className="form-hint">{t("users.step1Hint")}</p>
          <Field id="user-first_name" label={t("field.first_name")} value={values.first_name} onChange={(v) => set("first_name", v)} autoComplete="off" error={errorAt("user-first_name")} />
          <Field id="user-last_name" label={t("field.last_name")} value={values.last_name} onChange={(v) => set("last_name", v)} autoComplete="off" error={errorAt("user-last_name")} />
          <Field id="user-email" label={t("field.email")} type="email" value={values.email} onChange={(v) => set("email", v)} autoComplete="off" error={errorAt("user-email")} />
          <Field id="user-mobile" label={t("field.mobile")} hint={t("field.mobileHint")} type="tel" value={values.mobile} onChange={(v) => set("mobile", v)} autoComplete="off" error={errorAt("user-mobile")} />
        </fieldset>
      ) : null}
      {step === 2 ? (
        <fieldset>
          <legend className="h4">{t("users.step2")}</legend>
          <p className="form-hint">{t("users.step2Hint")}</p>
          {me.companies.map((company) => (
            <Checkbox
              key={company.cvr}
              label={`${company.name} (CVR ${company.cvr})`}
              checked={company.cvr in values.grants}
              onChange={(checked) => {
                const others = Object.fromEntries(Object.entries(values.grants).filter(([cvr]) => cvr !== company.cvr));
                const fresh: Grant = { access: company.access === "full" ? "full" : "limited", accounts: [] };
                set("grants", checked ? { ...others, [company.cvr]: fresh } : others);
              }}
            />
          ))}
        </fieldset>
      ) : null}
      {step === 3 ? (
        <div>
          <h4>{t("users.step3")}</h4>
          <p className="form-hint">{t("users.step3Hint")}</p>
          {Object.entries(values.grants).map(([cvr, grant]) => {
            const company = me.companies.find((c) => c.cvr === cvr);
            if (!company) return null;
            const update = (next: Grant) => set("grants", { ...values.grants, [cvr]: next });
            const options = [
              ...(company.access === "full" ? [{ value: "full", label: t("users.full") }] : []),
              { value: "limited", label: t("users.limited") },
            ];
            return (
              <div key={cvr} className="company-grant">
                <RadioGroup
                  legend={`${company.name} (CVR ${cvr})`}
                  name={`access-${cvr}`}
                  value={grant.access}
                  onChange={(v) => update({ ...grant, access: v as Grant["access"] })}
                  options={options}
                />
                {grant.access === "limited" ? (
                  <fieldset className="form-group">
                    <legend className="form-label">
                      {t("users.accountsFor")} {company.name}
                    </legend>
                    {company.accounts.map((account) => (
                      <Checkbox
                        key={account.number}
                        label={`${account.number} – ${account.name}`}
                        checked={grant.accounts.includes(account.number)}
                        onChange={(checked) =>
                          update({
                            ...grant,
                            accounts: checked
                              ? [...grant.accounts, account.number]
                              : grant.accounts.filter((n) => n !== account.number),
                          })
                        }
                      />
                    ))}
                  </fieldset>
                ) : null}
              </div>
            );
          })}
        </div>
      ) : null}
      {step === 4 ? (
        <fieldset>
          <legend className="h4">{t("users.step4")}</legend>
          <p className="form-hint">{t("users.step4Hint")}</p>
          {grantable.map((fn) => (
            <Checkbox
              key={fn}
              label={t(`function.${fn}` as MessageKey)}
              checked={values.functions.includes(fn)}
              onChange={(checked) =>
                set("functions", checked ? [...values.functions, fn] : values.functions.filter((f) => f !== fn))
              }
            />
          ))}
        </fieldset>
      ) : null}
      <div className="button-row">
        {step > 1 ? (
          <button type="button" className="button button-secondary" onClick={() => { setLocal([]); setStep(step - 1); }}>
            {t("common.back")}
          </button>
        ) : null}{" "}
        <button type="submit" className="button button-primary" disabled={busy}>
          {step < 4 ? t("common.next") : submitLabel}
        </button>{" "}
        <button type="button" className="button button-tertiary" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
