/* The sandbox process of every pod of the local cluster: it holds the pod's
 * namespaces, reaps the zombies of processes re-parented to it (it is PID 1 of
 * the pod when the PID namespace is shared) and exits on SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { _exit(sig == SIGTERM ? 0 : 128 + sig); }

static void on_child(int sig) {
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

int main(void) {
	struct sigaction stop = {.sa_handler = on_stop};
	struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP};
	if (sigaction(SIGTERM, &stop, NULL) || sigaction(SIGINT, &stop, NULL) ||
	    sigaction(SIGCHLD, &child, NULL)) {
		perror("pause: sigaction");
		return 1;
	}
	if (getpid() != 1) {
		fprintf(stderr, "pause: not PID 1 of its namespace, still waiting\n");
	}
	for (;;) {
		pause();
	}
}
