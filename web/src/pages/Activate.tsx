import { useEffect, useState } from "react";

import { unwrap } from "../api/client";
import { ActivationForm } from "../api/rules";
import { Field } from "../components/Field";
import { useServices } from "../context";
import { useI18n } from "../i18n";
import { forgetFragment, fromFragment } from "./fragment";
import { SetPasswordPage } from "./SetPasswordPage";

/** Activation: the username and activation code from the letter, and a new password. The letter's link fills
 * in the username (`#brugernavn=`); the code is typed from the paper. */
export function Activate({ onActivated }: { onActivated: (username: string, notice: string) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [username, setUsername] = useState(() => fromFragment("brugernavn"));
  useEffect(forgetFragment, []);
  const [code, setCode] = useState("");
  return (
    <SetPasswordPage
      title={t("activate.title")}
      intro={t("activate.intro")}
      submitLabel={t("activate.submit")}
      labels={{ username: t("signin.username"), activation_code: t("activate.code") }}
      rules={ActivationForm}
      fields={(errors) => (
        <>
          <Field id="username" label={t("signin.username")} value={username} onChange={setUsername} autoComplete="username" error={errors.username} />
          <Field id="activation_code" label={t("activate.code")} value={code} onChange={setCode} autoComplete="off" error={errors.activation_code} />
        </>
      )}
      send={(password) =>
        unwrap(session, () =>
          api.POST("/v1/activations", {
            body: { username: username.trim(), activation_code: code.trim(), password },
          }),
        )
      }
      onDone={(activated) => onActivated(activated, t("activate.done"))}
    />
  );
}
