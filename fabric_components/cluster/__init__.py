"""Where a network runs: the Kubernetes provider (an existing kubeconfig context or
an AKS cluster this stack creates) and the Azure storage its backups go to."""
