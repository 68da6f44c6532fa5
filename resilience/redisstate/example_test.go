package redisstate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dispatchcenter/connectors/resilience/redisstate"
)

// Sharing Maddenco's hourly budget between replicas: each replica builds the same
// limiter over the same Redis and passes it to maddenco.WithLimiter. (An in-process
// Redis here; redis.NewUniversalClient with the cluster's addresses in production.)
func ExampleNewLimiter() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{
		Name: "maddenco:key-1", Requests: 980, Per: time.Hour, Burst: 25, Replicas: 4})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n := 0
	for l.Wait(ctx) == nil {
		n++ // maddenco.New(cfg, maddenco.WithLimiter(l)) waits here before each request
	}
	fmt.Println(n, "requests at once, then 955 an hour")
	// Output: 25 requests at once, then 955 an hour
}

// De-duplicating webhooks across replicas: the receivers share one store.
func ExampleNewDedupStore() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	store := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{}) // webhook.ReceiverOptions{Store: store}
	first, _ := store.Claim(context.Background(), "evt_42", 72*time.Hour)
	again, _ := store.Claim(context.Background(), "evt_42", 72*time.Hour)
	fmt.Println(first, again)
	// Output: true false
}
