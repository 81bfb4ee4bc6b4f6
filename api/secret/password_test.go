package secret

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPasswordTakesTheCostItIsGivenAndBcryptsDefaultForZero(t *testing.T) {
	for cost, want := range map[int]int{bcrypt.MinCost: bcrypt.MinCost, 0: bcrypt.DefaultCost} {
		hash, err := HashPassword("correct horse", cost)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := bcrypt.Cost([]byte(hash)); err != nil || got != want {
			t.Errorf("cost %d: the hash has cost %d (%v), want %d", cost, got, err, want)
		}
		if !CheckPassword(hash, "correct horse") || CheckPassword(hash, "wrong horse") || CheckPassword("", "correct horse") {
			t.Errorf("cost %d: CheckPassword does not tell the right password from a wrong one", cost)
		}
	}
}
