import { useEffect, useLayoutEffect, useMemo, useState, type ReactNode } from "react";

import { type Api } from "./api/client";
import { type Session, type SignInStep } from "./auth";
import { Footer, PageLink } from "./components/Footer";
import { Modal } from "./components/Modal";
import { Notice } from "./components/Notice";
import { OnDemand, onDemand, WithDesignSystem } from "./components/OnDemand";
import { AppContext, useServices, useSignedIn, type AppServices } from "./context";
import { LanguageContext, loadLanguage, translator, useI18n, type Language } from "./i18n";
import { SignIn } from "./pages/SignIn";
import { designSystem } from "./design-system";
import { INFO_PATHS, isKnownPath, navigate, PATHS, usePath, useTitle } from "./router";

// The first screen is the sign-in, then Min konto: every other page comes when first shown.
const AcceptInvitation = onDemand(() => import("./pages/AcceptInvitation").then((m) => m.AcceptInvitation));
const RenewalRequest = onDemand(() => import("./pages/RenewalRequest").then((m) => m.RenewalRequest));
const HostedCheck = onDemand(() => import("./pages/HostedCheck").then((m) => m.HostedCheck));
const Activate = onDemand(() => import("./pages/Activate").then((m) => m.Activate));
const Apply = onDemand(() => import("./pages/Apply").then((m) => m.Apply));
const ContactSupport = onDemand(() => import("./pages/ContactSupport").then((m) => m.ContactSupport));
const ChangePassword = onDemand(() => import("./pages/ChangePassword").then((m) => m.ChangePassword));
const ForgotPassword = onDemand(() => import("./pages/ForgotPassword").then((m) => m.ForgotPassword));
const Enrol = onDemand(() => import("./pages/Enrol").then((m) => m.Enrol));
const Account = onDemand(() => import("./pages/Account").then((m) => m.Account));
const Accessibility = onDemand(() => import("./pages/About").then((m) => m.Accessibility));
const Privacy = onDemand(() => import("./pages/About").then((m) => m.Privacy));
const Cookies = onDemand(() => import("./pages/About").then((m) => m.Cookies));
const ApiReference = onDemand(() => import("./pages/ApiReference").then((m) => m.ApiReference));
const NotFound = onDemand(() => import("./pages/About").then((m) => m.NotFound));
// Every screen but the sign-in: with the whole stylesheet, and TanStack Query's cache (pages/Account.tsx).
const SignedInArea = onDemand(() =>
  Promise.all([import("./pages/Account"), designSystem()]).then(([m]) => m.Queries),
);

// Signed in, the sign-in and the forms for those without a login lead on to Min konto; the footer's pages and
// an unknown address stay where they are.
const FOR_SIGNED_OUT: readonly string[] = [
  PATHS.signIn,
  PATHS.apply,
  PATHS.activate,
  PATHS.invitation,
  PATHS.forgotPassword,
];

type MfaSetup = Extract<SignInStep, { kind: "mfa-setup" }>;

/**
 * Log ud: the API ends every session of the login (refresh tokens revoked, every access token refused),
 * then this page forgets its tokens. If the API cannot be asked, the page still forgets them and revokes
 * its own refresh token.
 */
async function signOutEverywhere(api: Api, session: Session): Promise<void> {
  try {
    const answer = await api.POST("/v1/me/sign-out");
    if (answer.data) {
      session.sessionsEnded(answer.data.sign_in_after_ms);
      return;
    }
  } catch {
    // Not reachable: at least this page's session ends.
  }
  await session.signOut();
}

/**
 * Who is signed in, as the header names them: the person's name and their organisation's (staff have none),
 * from GET /v1/me; null until it answers, so the header never shows a username or an id meanwhile.
 */
function useSignedInName(signedIn: boolean): string | null {
  const { api } = useServices();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    setName(null);
    if (!signedIn) return;
    let current = true;
    api
      .GET("/v1/me")
      .then(({ data }) => {
        if (!current || !data) return;
        const person = `${data.user.first_name} ${data.user.last_name}`.trim();
        const place = data.organisation?.name ?? data.vendor?.name;
        setName(place ? `${person}, ${place}` : person);
      })
      .catch(() => undefined); // the header stays without a name; the page says what went wrong
    return () => {
      current = false;
    };
  }, [api, signedIn]);
  return name;
}

function Header() {
  const { api, session } = useServices();
  const { signedIn } = useSignedIn();
  const { t, language, setLanguage } = useI18n();
  const name = useSignedInName(signedIn);
  return (
    <header className="header">
      <div className="portal-header">
        <div className="container portal-header-inner">
          <PageLink to={PATHS.signIn} className="logo">
            <img className="logo-mark" src="/favicon.svg" alt="" width="28" height="28" />
            {t("app.name")}
          </PageLink>
          <div className="portal-user">
            {/* The name a screen reader says begins with the word on the button, so that a person who
                says "English" to voice control reaches it; the rest says what it does. */}
            <button
              type="button"
              className="button button-tertiary"
              onClick={() => setLanguage(language === "da" ? "en" : "da")}
            >
              <span lang={language === "da" ? "en" : "da"}>{t("lang.switch")}</span>
              <span className="sr-only"> ({t("lang.switchLabel")})</span>
            </button>
            {signedIn ? (
              <>
                {name ? (
                  <>
                    <span className="user">
                      {t("signedInAs")} {name}
                    </span>{" "}
                  </>
                ) : null}
                <a
                  href={PATHS.password}
                  className="button button-tertiary"
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(PATHS.password);
                  }}
                >
                  {t("password.link")}
                </a>{" "}
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => {
                    void signOutEverywhere(api, session).then(() => navigate(PATHS.signIn));
                  }}
                >
                  {t("signout")}
                </button>
              </>
            ) : null}
          </div>
        </div>
      </div>
    </header>
  );
}

function Routes() {
  const { session } = useServices();
  const { signedIn, expired } = useSignedIn();
  const { t } = useI18n();
  const path = usePath();
  const [notice, setNotice] = useState<string | null>(null);
  const [mfaSetup, setMfaSetup] = useState<MfaSetup | null>(null);

  // Before the page is painted: a click on the signed-in page (a footer link) must not be overtaken by a
  // redirect that a deferred effect, still holding the sign-in's path, would make after it.
  useLayoutEffect(() => {
    if (signedIn && FOR_SIGNED_OUT.includes(path)) navigate(PATHS.account, true);
  }, [signedIn, path]);

  // A new page: a screen reader starts reading from its content, as after a full page load.
  const page0 = path.split("/")[1] ?? "";
  useEffect(() => {
    const main = document.getElementById("main-content");
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [page0]);

  const remember = (username: string, text: string) => {
    session.username = username;
    setNotice(text);
  };

  let page: ReactNode;
  // The window's title names the page; Min konto and Sagsbehandling name their own (pages/Account.tsx).
  let title: string | null = t("signin.title");
  const info: Record<string, [ReactNode, string]> = {
    [PATHS.accessibility]: [<Accessibility key="a" />, t("footer.accessibility")],
    [PATHS.privacy]: [<Privacy key="p" />, t("footer.privacy")],
    [PATHS.cookies]: [<Cookies key="c" />, t("footer.cookies")],
    [PATHS.apiReference]: [<ApiReference key="r" />, t("apiref.title")],
  };
  const infoPage = info[path];
  if (infoPage) {
    page = <WithDesignSystem>{infoPage[0]}</WithDesignSystem>;
    title = infoPage[1];
  } else if (!isKnownPath(path)) {
    page = (
      <WithDesignSystem>
        <NotFound signedIn={signedIn} />
      </WithDesignSystem>
    );
    title = t("notfound.title");
  } else if (path === PATHS.apply) [page, title] = [<Apply key="apply" />, t("apply.title")];
  else if (path === PATHS.support) [page, title] = [<ContactSupport key="support" />, t("contact.title")];
  else if (path === PATHS.activate) [page, title] = [<Activate key="activate" onActivated={remember} />, t("activate.title")];
  else if (path === PATHS.invitation)
    [page, title] = [<AcceptInvitation key="invitation" onAccepted={remember} />, t("invite.title")];
  else if (path === PATHS.forgotPassword)
    [page, title] = [<ForgotPassword key="forgot" onDone={remember} />, t("forgot.title")];
  else if (path === PATHS.renewalRequest) [page, title] = [<RenewalRequest key="renewal" />, t("renewal.title")];
  else if (path === PATHS.hostedCheck) [page, title] = [<HostedCheck key="check" />, t("check.title")];
  else if (mfaSetup && !signedIn) {
    page = <Enrol cognitoStep={mfaSetup} onDone={() => setMfaSetup(null)} />;
    title = t("enrol.title");
  } else if ((signedIn || expired) && path === PATHS.password) {
    title = t("password.title");
    page = (
      <ChangePassword
        onChanged={(signInAfterMs) => {
          session.sessionsEnded(signInAfterMs);
          setNotice(t("password.changed"));
          navigate(PATHS.signIn);
        }}
      />
    );
  } else if (signedIn || (expired && path.startsWith(PATHS.account))) {
    title = null;
    page = (
      <Account
        tab={path.split("/")[2]}
        onEnrolled={(signInAfterMs) => {
          session.sessionsEnded(signInAfterMs);
          setNotice(t("signin.again"));
          navigate(PATHS.signIn);
        }}
      />
    );
  }
  useTitle(title);
  // The sign-in is the one screen the first visit's stylesheet and script cover: every other waits for the rest.
  // The footer's pages and "Siden findes ikke" need the whole stylesheet only (WithDesignSystem above).
  if (!page) page = <SignIn notice={notice} onMfaSetup={setMfaSetup} />;
  else if (!INFO_PATHS.includes(path) && isKnownPath(path)) page = <SignedInArea>{page}</SignedInArea>;

  return (
    <>
      <main id="main-content" className="container" tabIndex={-1}>
        <OnDemand>{page}</OnDemand>
      </main>
      {expired && !signedIn && path.startsWith(PATHS.account) ? (
        <OnDemand>
          <WithDesignSystem>
            <Modal title={t("signin.title")} onClose={() => undefined} actions={null}>
              <Notice kind="warning">
                <p className="alert-text">{t("signin.expired")}</p>
              </Notice>
              <SignIn onMfaSetup={setMfaSetup} headingLevel={2} showLinks={false} />
            </Modal>
          </WithDesignSystem>
        </OnDemand>
      ) : null}
    </>
  );
}

export function App({ services }: { services: AppServices }) {
  // Danish by default, whatever the browser says: the switch is one click away.
  const [language, setLanguage] = useState<Language>("da");
  const i18n = useMemo(() => {
    // The words first, then the switch: a page never shows keys. Should English not come (the network),
    // the page stays Danish.
    const choose = (next: Language) => void loadLanguage(next).then(() => setLanguage(next), () => undefined);
    return { language, t: translator(language), setLanguage: choose };
  }, [language]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <AppContext.Provider value={services}>
      <LanguageContext.Provider value={i18n}>
        <a className="skipnav" href="#main-content">
          {i18n.t("app.skip")}
        </a>
        <Header />
        <Routes />
        <Footer />
      </LanguageContext.Provider>
    </AppContext.Provider>
  );
}
