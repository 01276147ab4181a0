import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../api/client";
import { useServices } from "../context";

/** The open renewal requests the user may answer: the Anmodninger tab's list, and the count beside its name. */
export function useRenewalRequests(enabled: boolean) {
  const { api, session } = useServices();
  return useQuery({
    queryKey: ["renewal-requests"],
    queryFn: () => unwrap(session, () => api.GET("/v1/renewal-requests")),
    enabled,
  });
}
