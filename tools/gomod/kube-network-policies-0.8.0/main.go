// Command kube-network-policies runs the NetworkPolicy controller of
// sigs.k8s.io/kube-network-policies as a host process of the local cluster's
// node. The upstream command only runs inside a pod (in-cluster credentials);
// this one reads a kubeconfig, stops cleanly on SIGTERM as well as SIGINT (the
// controller deletes its nftables table when its context ends), serves its
// metrics on a loopback address, and reaches the runtime's NRI socket where the
// node has it (--nri-socket) rather than only at /var/run/nri/nri.sock.
//
// Through NRI the controller learns each pod's address as its sandbox starts;
// without it, only once the kubelet has reported the pod's status to the API,
// and until then it cannot tell the new pod's connections from a stranger's.
//
// The controller evaluates the first packet of every connection handed to its
// netfilter queue against the NetworkPolicies and answers accept or drop.
package main

import (
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
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
	nriSocket := flag.String("nri-socket", "", "the container runtime's NRI socket (default: NRI's own)")
	klog.InitFlags(nil)
	flag.Parse()
	if *kubeconfig == "" || *nodeName == "" {
		klog.Error("--kubeconfig and --hostname-override are required")
		os.Exit(2)
	}
	if *nriSocket != "" {
		if err := connectNRI(*nriSocket); err != nil {
			klog.ErrorS(err, "connecting to NRI", "socket", *nriSocket)
			os.Exit(1)
		}
	}
	if err := run(*kubeconfig, *nodeName, *queueID, *metrics); err != nil {
		klog.ErrorS(err, "kube-network-policies stopped")
		os.Exit(1)
	}
}

// connectNRI connects to the runtime's NRI socket and hands the connection to
// the controller's NRI plugin stub the way NRI hands one to a plugin it
// launches itself: as a descriptor number in NRI_PLUGIN_SOCKET. The stub owns
// that descriptor (it closes it), so it is a bare duplicate, not an os.File.
func connectNRI(socket string) error {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		return err
	}
	defer conn.Close()
	file, err := conn.File()
	if err != nil {
		return err
	}
	defer file.Close()
	fd, err := syscall.Dup(int(file.Fd()))
	if err != nil {
		return err
	}
	return os.Setenv("NRI_PLUGIN_SOCKET", strconv.Itoa(fd))
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
