# Import-FaceEmbedding: a store written by Get-FaceEmbedding, and loose .npy files written by numpy.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('ife-import-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:files = @(New-TestCropSet -Path (Join-Path $root 'crops') -Count 9 -Identities 3 -NoFaceCount 1)
    $script:store = Join-Path $root 'store'
    $script:ep = Start-TestEndpoint
    $script:extracted = @($files | Get-FaceEmbedding -Model dingo, eagle-2 -ServerUrl $ep.Url -OutputDirectory $store -ErrorAction SilentlyContinue)
}

AfterAll {
    Stop-TestEndpoint $script:ep
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Import-FaceEmbedding' {
    Context 'a store' {
        It 'returns what Get-FaceEmbedding returned, failures to acquire included' {
            $imported = @(Import-FaceEmbedding $store)
            $imported.Count | Should -Be 18
            foreach ($e in $extracted) {
                $i = $imported | Where-Object { $_.Model -eq $e.Model -and $_.RelativePath -eq $e.RelativePath }
                $i.Status | Should -Be $e.Status
                $i.Identity | Should -Be $e.Identity
                $i.Sha256 | Should -Be $e.Sha256
                $i.Path | Should -Be $e.Path
                $i.Dimension | Should -Be $e.Dimension
                $i.Vector | Should -Be $e.Vector
                $i.FromStore | Should -BeTrue
            }
            @($imported | Where-Object Status -EQ 'NoFace').Count | Should -Be 2
        }

        It 'reads one model by name, from the store or from its folder' {
            @(Import-FaceEmbedding $store -Model eagle-2).Model | Sort-Object -Unique | Should -Be 'eagle-2'
            @(Import-FaceEmbedding -LiteralPath (Join-Path $store 'dingo')).Count | Should -Be 9
            @(Import-FaceEmbedding -LiteralPath (Join-Path $store 'dingo/index.jsonl')).Count | Should -Be 9
        }

        It 'points Path at the images'' new place with -DatasetRoot' {
            $moved = Join-Path $root 'moved'
            $e = @(Import-FaceEmbedding $store -Model dingo -DatasetRoot $moved)[0]
            $e.Path | Should -Be (Join-Path $moved $e.RelativePath)
        }

        It 'takes the last record of a path as the current one' {
            $copy = Join-Path $root 'store-copy'
            Copy-Item $store $copy -Recurse
            $first = @(Import-FaceEmbedding $copy -Model dingo | Where-Object Status -EQ 'Success')[0]
            $line = Get-Content (Join-Path $copy 'dingo/index.jsonl') | ConvertFrom-Json | Where-Object relativePath -EQ $first.RelativePath
            $line.identity = 'relabelled'
            Add-Content -LiteralPath (Join-Path $copy 'dingo/index.jsonl') -Value ($line | ConvertTo-Json -Compress) -Encoding UTF8
            (Import-FaceEmbedding $copy -Model dingo | Where-Object RelativePath -EQ $first.RelativePath).Identity | Should -Be 'relabelled'
        }

        It 'reports a vector file that went missing, and reads the rest' {
            $copy = Join-Path $root 'store-missing'
            Copy-Item $store $copy -Recurse
            $victim = Get-ChildItem (Join-Path $copy 'dingo') -Recurse -Filter *.npy | Select-Object -First 1
            Remove-Item $victim.FullName
            $r = @(Import-FaceEmbedding $copy -Model dingo -ErrorVariable errs -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 8
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingFileNotFound,*'
            $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errs[0].TargetObject | Should -Be $victim.FullName
        }
    }

    Context 'loose .npy files' {
        It 'reads float32 and float64, both byte orders, format versions 1 to 3, as numpy wrote them' {
            if (-not (Test-PythonModule numpy)) { Set-ItResult -Skipped -Because 'python3-numpy is not installed (apt-get install python3-numpy)'; return }
            $loose = Join-Path $root 'loose'
            $script = @'
import sys, os, numpy as np
root = sys.argv[1]
rng = np.random.default_rng(3)
v = rng.standard_normal(512)
v /= np.linalg.norm(v)
def put(rel, arr, version=None):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version)
put("alice/f32.npy", v.astype("<f4"))
put("alice/f64.npy", v.astype("<f8"))
put("bob/f32be.npy", v.astype(">f4"))
put("bob/f64be.npy", v.astype(">f8"))
put("carol/v2.npy", v.astype("<f4"), (2, 0))
put("carol/v3.npy", v.astype("<f4"), (3, 0))
put("carol/row.png.npy", v.astype("<f4").reshape(1, 512))
print(" ".join(repr(float(x)) for x in v.astype(np.float32)[:4]))
'@
            $first = & (Get-TestPython) -c $script $loose
            $LASTEXITCODE | Should -Be 0
            $expected = @($first -split ' ' | ForEach-Object { [float][double]::Parse($_, [cultureinfo]::InvariantCulture) })

            $all = @(Import-FaceEmbedding $loose -Model buffalo)
            $all.Count | Should -Be 7
            foreach ($e in $all) {
                $e.Model | Should -Be 'buffalo'
                $e.Dimension | Should -Be 512
                $e.Status | Should -Be 'Success'
                $e.Vector[0..3] | Should -Be $expected -Because $e.Path
                $e.Vector | Should -Be $all[0].Vector
                $e.Identity | Should -Be (Split-Path (Split-Path $e.Path) -Leaf)
            }
            ($all | Where-Object Path -Like '*row.png.npy').RelativePath | Should -Be 'carol/row.png'
            ($all | Where-Object Path -Like '*f32.npy').RelativePath | Should -Be 'alice/f32'
        }

        It 'needs the model named, once per path' {
            $dir = Join-Path $root 'loose2/alice'
            $null = New-Item -ItemType Directory -Path $dir -Force
            [IO.File]::WriteAllBytes((Join-Path $dir 'a.npy'), ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](0.6, 0.8))))
            [IO.File]::WriteAllBytes((Join-Path $dir 'b.npy'), ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](0.8, 0.6))))
            $r = @(Import-FaceEmbedding (Split-Path $dir) -ErrorVariable errs -ErrorAction SilentlyContinue)
            $r | Should -BeNullOrEmpty
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingModelRequired,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            @(Import-FaceEmbedding (Split-Path $dir) -Model dingo).Vector.Count | Should -Be 4
        }

        It 'reports a file that is not an embedding, and reads the next' {
            $dir = Join-Path $root 'loose3/bob'
            $null = New-Item -ItemType Directory -Path $dir -Force
            Set-Content -LiteralPath (Join-Path $dir 'broken.npy') -Value 'not numpy' -Encoding UTF8
            [IO.File]::WriteAllBytes((Join-Path $dir 'good.npy'), ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](1, 0))))
            $r = @(Import-FaceEmbedding -LiteralPath (Join-Path $dir 'broken.npy'), (Join-Path $dir 'good.npy') -Model dingo -ErrorVariable errs -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 1
            $r[0].RelativePath | Should -Be 'bob/good'
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingInvalidFile,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $errs[0].TargetObject | Should -Be (Join-Path $dir 'broken.npy')
        }

        It 'reports a path that does not exist' {
            $missing = Join-Path $root 'nothing-here'
            $null = Import-FaceEmbedding -LiteralPath $missing -Model dingo -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingFileNotFound,*'
            $errs[0].TargetObject | Should -Be $missing
        }
    }

    Context 'hostile stores and files (issue 12)' {
        It 'reads no file an edited index points outside the store, and still imports the other records' {
            $copy = Join-Path $root 'store-hostile'
            Copy-Item $store $copy -Recurse
            $index = Join-Path $copy 'dingo/index.jsonl'
            $lines = @(Get-Content -LiteralPath $index | ConvertFrom-Json)
            $good = @($lines | Where-Object { $_.embedding })
            $outside = Join-Path $root 'outside.npy'
            [IO.File]::WriteAllBytes($outside, ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](0.6, 0.8))))
            $secret = Join-Path $root 'private/secret.png'
            $null = New-Item -ItemType Directory -Path (Split-Path $secret) -Force
            Copy-Item -LiteralPath $good[3].path -Destination $secret
            # Four records rewritten the way a careless or hostile hand would: climbing out, absolute, a device,
            # and an image path that is not the record's own image.
            $edits = @(
                @{ embedding = '../../../etc/passwd' }
                @{ embedding = $outside }
                @{ embedding = '/dev/zero' }
                @{ path = $secret }
            )
            $victims = @()
            for ($i = 0; $i -lt $edits.Count; $i++) {
                $line = $good[$i] | ConvertTo-Json -Compress | ConvertFrom-Json
                foreach ($k in $edits[$i].Keys) { $line.$k = $edits[$i][$k] }
                Add-Content -LiteralPath $index -Value ($line | ConvertTo-Json -Compress) -Encoding UTF8
                $victims += $line.relativePath
            }
            $r = @(Import-FaceEmbedding $copy -Model dingo -ErrorVariable errs -ErrorAction SilentlyContinue)
            # Every other record imports; the three embedding paths are refused one by one, nothing was opened.
            $r.Count | Should -Be 6
            $errs.Count | Should -Be 3
            foreach ($e in $errs) {
                $e.FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingPathOutsideStore,*'
                $e.CategoryInfo.Category | Should -Be 'InvalidData'
                $e.Exception.Message | Should -Match 'outside the model''s folder'
            }
            $r.RelativePath | Should -Not -Contain $victims[0]
            $r.RelativePath | Should -Not -Contain $victims[1]
            $r.RelativePath | Should -Not -Contain $victims[2]
            # The record with a foreign image path still imports, but that path is not taken as its image,
            # so a report never reads (or embeds) the private file.
            $moved = $r | Where-Object RelativePath -EQ $victims[3]
            $moved.Status | Should -Be 'Success'
            $moved.Path | Should -Not -Be $secret
        }

        It 'reports a .npy whose header claims 2 GB, and reads the files after it' {
            $dir = Join-Path $root 'loose-hostile/carol'
            $null = New-Item -ItemType Directory -Path $dir -Force
            [IO.File]::WriteAllBytes((Join-Path $dir 'a.npy'), ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](1, 0))))
            # Format version 2: a four-byte header length, here 0x7FFFFFFF.
            $bad = [byte[]](0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0xFF, 0xFF, 0xFF, 0x7F) + [byte[]]::new(64)
            [IO.File]::WriteAllBytes((Join-Path $dir 'b.npy'), $bad)
            [IO.File]::WriteAllBytes((Join-Path $dir 'c.npy'), ([InsightFaceEval.Embedding.NpyFile]::Serialize([float[]](0, 1))))
            $r = @(Import-FaceEmbedding (Split-Path $dir) -Model dingo -ErrorVariable errs -ErrorAction SilentlyContinue)
            $r.RelativePath | Should -Be 'carol/a', 'carol/c'
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingInvalidFile,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $errs[0].TargetObject | Should -Be (Join-Path $dir 'b.npy')
            $errs[0].Exception.Message | Should -Match 'header of 2,147,483,647 bytes'
        }
    }
}
