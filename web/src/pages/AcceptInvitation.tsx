import { useEffect, useState } from "react";

import { unwrap } from "../api/client";
import { AcceptForm } from "../api/rules";
import { Field } from "../components/Field";
import { useServices } from "../context";
import { useI18n } from "../i18n";
import { forgetFragment, fromFragment } from "./fragment";
import { SetPasswordPage } from "./SetPasswordPage";

/** A new colleague's first step: the invitation code from the e-mail, and a password. The mail's link carries
 * the code in the fragment (`#kode=`): it is filled in and taken out of the address bar and history. */
export function AcceptInvitation({ onAccepted }: { onAccepted: (username: string, notice: string) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [token, setToken] = useState(() => fromFragment("kode"));
  useEffect(forgetFragment, []);
  return (
    <SetPasswordPage
      title={t("invite.title")}
      intro={t("invite.intro")}
      submitLabel={t("invite.submit")}
      labels={{ token: t("invite.code") }}
      rules={AcceptForm}
      fields={(errors) => (
        <Field id="token" label={t("invite.code")} value={token} onChange={setToken} autoComplete="off" error={errors.token} />
      )}
      send={(password) => unwrap(session, () => api.POST("/v1/invitations/accept", { body: { token: token.trim(), password } }))}
      onDone={(username) => onAccepted(username, t("invite.done"))}
    />
  );
}
