#!/bin/bash
# One shard per array task: Slurm sets SLURM_ARRAY_TASK_ID, numbered 1..8 by --array=1-8, and shard-worker.ps1
# scores that shard of 8. Submit from the folder that holds examples/, with the module, the embeddings and the
# state folder on a file system every node mounts:
#   jobid=$(sbatch --parsable examples/shards-slurm.sh)
#   sbatch --dependency=afterok:$jobid --wrap "pwsh -NoProfile -Command \"Import-Module $MODULE; Measure-FaceVerification -FromState $STATES/*.state | Format-List\""
#SBATCH --job-name=insightfaceeval-shards
#SBATCH --array=1-8
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --output=shard-%a.log

EMBEDDINGS=${EMBEDDINGS:-$HOME/faces/embeddings}
STATES=${STATES:-$HOME/faces/states}
MODULE=${MODULE:-$HOME/modules/InsightFaceEval/InsightFaceEval.psd1}

srun pwsh -NoProfile -File examples/shard-worker.ps1 -EmbeddingPath "$EMBEDDINGS" -ShardCount 8 -StateDirectory "$STATES" -ModulePath "$MODULE"
