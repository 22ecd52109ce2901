package store_test

import (
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestContractSQLite(t *testing.T) { storetest.Run(t, storetest.OpenSQLite) }

func TestContractPostgres(t *testing.T) { storetest.Run(t, storetest.OpenPostgres) }
