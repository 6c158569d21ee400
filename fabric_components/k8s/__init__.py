"""Builders of Kubernetes objects: node Secrets, volumes, Deployments and Services,
pod pieces, the admin toolbox, the CouchDB sidecar and chaincode servers."""
