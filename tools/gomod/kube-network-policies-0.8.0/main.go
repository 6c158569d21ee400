// Command kube-network-policies runs the NetworkPolicy controller of
// sigs.k8s.io/kube-network-policies as a host process of the local cluster's
// node. The upstream command only runs inside a pod (in-cluster credentials);
// this one reads a kubeconfig, stops cleanly on SIGTERM as well as SIGINT (the
// controller deletes its nftables table when its context ends), and serves its
// metrics on a loopback address.
//
// The controller evaluates the first packet of every connection handed to its
// netfilter queue against the NetworkPolicies and answers accept or drop.
package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster (required)")
	nodeName := flag.String("hostname-override", "", "name of the Node whose pods are enforced (required)")
	queueID := flag.Int("nfqueue-id", 100, "netfilter queue the connections to evaluate are sent to")
	metrics := flag.String("metrics-bind-address", "127.0.0.1:0", "address of the /metrics endpoint")
	klog.InitFlags(nil)
	flag.Parse()
	if *kubeconfig == "" || *nodeName == "" {
		klog.Error("--kubeconfig and --hostname-override are required")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *nodeName, *queueID, *metrics); err != nil {
		klog.ErrorS(err, "kube-network-policies stopped")
		os.Exit(1)
	}
}

func run(kubeconfig, nodeName string, queueID int, metrics string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	controller, err := networkpolicy.NewController(
		client,
		factory.Networking().V1().NetworkPolicies(),
		factory.Core().V1().Namespaces(),
		factory.Core().V1().Pods(),
		nil, nil, nil, nil, // no AdminNetworkPolicy API
		networkpolicy.Config{
			QueueID:  queueID,
			NodeName: nodeName,
			// The conntrack race this works around is fixed in the kernels from 6.12 on.
			NetfilterBug1766Fix: false,
		},
	)
	if err != nil {
		return err
	}

	http.Handle("/metrics", promhttp.Handler())
	server := &http.Server{Addr: metrics, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.ErrorS(err, "metrics endpoint")
		}
	}()

	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx) }()
	factory.Start(ctx.Done())

	err = <-done
	_ = server.Close()
	if ctx.Err() != nil {
		return nil
	}
	return err
}
