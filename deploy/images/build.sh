#!/usr/bin/env bash
# Builds the LiveDPO images where Docker (or Podman: DOCKER=podman) can pull eclipse-temurin base images.
#   deploy/images/build.sh [tag]        serving, feedback, trainer (CPU)
#   CUDA=1 deploy/images/build.sh [tag]   also the CUDA trainer, tagged <tag>-cuda
set -euo pipefail
cd "$(dirname "$0")/../.."
TAG=${1:-0.1.0}
DOCKER=${DOCKER:-docker}
CUDA=${CUDA:-0}

./mvnw -B -ntp -pl services/serving,services/feedback,services/trainer -am package -DskipTests
for service in serving feedback; do
  "$DOCKER" build -f "services/$service/src/main/docker/Dockerfile.jvm" -t "livedpo/$service:$TAG" .
done
"$DOCKER" build -f services/trainer/src/main/docker/Dockerfile.jvm -t "livedpo/trainer:$TAG" .
if [ "$CUDA" = 1 ]; then
  # Repackage the trainer alone with the CUDA natives (the Maven profile), then build its image.
  ./mvnw -B -ntp -pl services/trainer -am package -DskipTests -Pcuda
  "$DOCKER" build -f services/trainer/src/main/docker/Dockerfile.jvm --build-arg FLAVOUR=cuda \
    -t "livedpo/trainer:$TAG-cuda" .
fi
