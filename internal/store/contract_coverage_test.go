package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// notContractTested lists the exported *Store methods the contract suite (storetest.Run)
// need not call, each with the reason it cannot be a contract test. Keep it small: a method
// here is one whose behaviour no engine-independent test can pin down.
var notContractTested = map[string]string{
	// (none today: Close is called by every store storetest opens, DB by the consent tests that
	// try to change the ledger behind the store's back.)
}

// TestContractCoversEveryMethod fails naming each exported *store.Store method that the
// contract suite never calls (as a call or a method value), so a new store method cannot land
// without a contract test on both engines. It type-checks the storetest sources against the
// store package (export data from `go list -export`), so a same-named method of another type
// (rows.Close, a batch writer's Close) does not count.
func TestContractCoversEveryMethod(t *testing.T) {
	const storePath = "github.com/clearlist/clearlist/internal/store"
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "./storetest").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -export ./storetest (needs the go command on PATH): %v\n%s", err, stderr)
	}
	exports := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), "\t"); ok && file != "" {
			exports[path] = file
		}
	}

	fset := token.NewFileSet()
	names, err := filepath.Glob("storetest/*.go")
	if err != nil || len(names) == 0 {
		t.Fatalf("no storetest sources: %v", err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	pkg, err := (&types.Config{Importer: imp}).Check(storePath+"/storetest", fset, files, info)
	if err != nil {
		t.Fatalf("type-check storetest: %v", err)
	}
	var storeType *types.Named
	for _, p := range pkg.Imports() {
		if p.Path() == storePath {
			storeType, _ = p.Scope().Lookup("Store").Type().(*types.Named)
		}
	}
	if storeType == nil {
		t.Fatal("storetest does not use store.Store")
	}

	called := map[string]bool{}
	for _, sel := range info.Selections {
		fn, ok := sel.Obj().(*types.Func)
		if !ok || (sel.Kind() != types.MethodVal && sel.Kind() != types.MethodExpr) {
			continue
		}
		recv := fn.Type().(*types.Signature).Recv().Type()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		if types.Identical(recv, storeType) {
			called[fn.Name()] = true
		}
	}
	var exported, missing []string
	for i := range storeType.NumMethods() {
		if m := storeType.Method(i); m.Exported() {
			exported = append(exported, m.Name())
			if !called[m.Name()] && notContractTested[m.Name()] == "" {
				missing = append(missing, m.Name())
			}
		}
	}
	if len(exported) < 50 {
		t.Fatalf("found only %d exported Store methods (%v); the test no longer sees the store package", len(exported), exported)
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d exported *store.Store method(s) never called by the contract suite: %s\n"+
			"add a test to internal/store/storetest (and its line in Run), or, if it truly cannot be contract-tested, "+
			"an entry with the reason in notContractTested", len(missing), strings.Join(missing, ", "))
	}
	for name := range notContractTested {
		if !slices.Contains(exported, name) {
			t.Errorf("notContractTested names %s, which is no longer an exported Store method: remove it", name)
		} else if called[name] {
			t.Errorf("notContractTested names %s, which the contract suite now calls: remove it", name)
		}
	}
	if !t.Failed() {
		t.Logf("%d exported Store methods, all called by the contract suite or listed with a reason", len(exported))
	}
}
