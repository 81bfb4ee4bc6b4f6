package rest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// staffLists are the staff list endpoints of this environment (the SSO
// event lists read their paging through the same helper); each reads page
// and per_page through page(c).
var staffLists = []string{
	"/api/v1/servers", "/api/v1/clients", "/api/v1/services", "/api/v1/operations",
	"/api/v1/applications/cpanel/log", "/api/v1/admins", "/api/v1/roles",
}

func TestDeepPagingIsRefusedPastTheRowBound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _ := provEnv(t, s)
		for _, list := range staffLists {
			for _, q := range []string{"page=51&per_page=200", "page=201", "page=10001&per_page=1", "page=9223372036854775807&per_page=200"} {
				resp, data := e.request(http.MethodGet, list+"?"+q, e.token, nil)
				body := e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "page")
				if msg := body.Error.Message; !strings.Contains(msg, "10000") || !strings.Contains(msg, "filters") {
					t.Errorf("%s?%s: message %q should state the limit and suggest filters", list, q, msg)
				}
			}
		}
		// Up to the bound, pages answer.
		for _, list := range staffLists {
			for _, q := range []string{"page=50&per_page=200", "page=200", "page=10000&per_page=1"} {
				var out rest.List[map[string]any]
				e.staff(http.MethodGet, list+"?"+q, nil, http.StatusOK, &out)
				if out.Items == nil || out.Total < 0 {
					t.Errorf("%s?%s: %+v", list, q, out)
				}
			}
		}
	})
}

func TestAdminAndRoleListsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var support links.Role
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Support", "permissions": []string{"manage_clients"}}, http.StatusCreated, &support)
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Spare", "permissions": []string{}}, http.StatusCreated, nil)
		for i := range 4 {
			e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": fmt.Sprintf("sup%d@example.com", i), "name": fmt.Sprintf("Sup %d", i),
				"password": "support-pass", "role_id": support.ID}, http.StatusCreated, nil)
		}

		var admins rest.List[links.Admin]
		e.staff(http.MethodGet, "/api/v1/admins?page=2&per_page=2", nil, http.StatusOK, &admins)
		if admins.Total != 5 || admins.Page != 2 || admins.PerPage != 2 || len(admins.Items) != 2 ||
			admins.Items[0].Email != "sup1@example.com" || admins.Items[1].Email != "sup2@example.com" || admins.Items[0].Role != "Support" {
			t.Fatalf("admins page 2: %+v", admins)
		}
		e.staff(http.MethodGet, "/api/v1/admins?page=3&per_page=2", nil, http.StatusOK, &admins)
		if admins.Total != 5 || len(admins.Items) != 1 || admins.Items[0].Email != "sup3@example.com" {
			t.Fatalf("admins page 3: %+v", admins)
		}
		e.staff(http.MethodGet, "/api/v1/admins", nil, http.StatusOK, &admins)
		if admins.Total != 5 || admins.PerPage != 50 || len(admins.Items) != 5 || admins.Items[0].ID != e.admin.ID {
			t.Fatalf("admins default page: %+v", admins)
		}

		var roles rest.List[links.Role]
		e.staff(http.MethodGet, "/api/v1/roles?per_page=2", nil, http.StatusOK, &roles)
		if roles.Total != 3 || len(roles.Items) != 2 || roles.Items[0].Name != links.FullAdministrator || roles.Items[0].Admins != 1 ||
			roles.Items[1].Name != "Support" || roles.Items[1].Admins != 4 {
			t.Fatalf("roles page 1: %+v", roles)
		}
		e.staff(http.MethodGet, "/api/v1/roles?page=2&per_page=2", nil, http.StatusOK, &roles)
		if roles.Total != 3 || len(roles.Items) != 1 || roles.Items[0].Name != "Spare" || roles.Items[0].Admins != 0 {
			t.Fatalf("roles page 2: %+v", roles)
		}
		e.staff(http.MethodGet, "/api/v1/roles?page=3&per_page=2", nil, http.StatusOK, &roles)
		if roles.Total != 3 || roles.Items == nil || len(roles.Items) != 0 {
			t.Fatalf("roles past the end: %+v", roles)
		}
		var renamed links.Role
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/roles/%d", support.ID), map[string]any{"name": "Support desk"}, http.StatusOK, &renamed)
		if renamed.Admins != 4 {
			t.Fatalf("an updated role tells its holders: %+v", renamed)
		}
		for _, q := range []string{"per_page=201", "page=x"} {
			resp, data := e.request(http.MethodGet, "/api/v1/roles?"+q, e.token, nil)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "")
		}
	})
}
