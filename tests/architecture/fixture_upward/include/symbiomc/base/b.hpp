#pragma once
// Fixture of Architecture.StageOrderCatchesUpwardInclude: a header in its right place, included
// by src/base/a.cpp as a stage may include itself (allowed).
